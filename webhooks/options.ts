// Options of createWebhooks: the flags' values, the delivery tunables with their defaults, and
// the checks that turn a bad value into a RangeError before anything starts.
import { contentFormats, type ContentFormat } from '../content/document-content.js'
import type { Logger } from '../server/logger.js'
import { parseTargetUrl } from './target-url.js'

const webhookDefaults = {
  attempts: 8,
  attemptTimeoutMs: 10_000,
  retryBaseMs: 500,
  retryMaxMs: 60_000,
  maxQueuedEvents: 10_000,
  maxQueuedBytes: 64 * 1024 * 1024,
  maxConcurrentCalls: 8,
} as const

/** Options of createWebhooks. */
export interface WebhookOptions {
  /** Where every event is POSTed (--webhook-url, repeatable); each URL has its own queue. */
  readonly urls: readonly string[]
  /** Signs every call with HMAC-SHA256 (--webhook-secret). Never logged. */
  readonly secret?: string
  /**
   * How long a document must be quiet before `document.changed` is sent, in milliseconds
   * (--webhook-debounce-ms, 2000 by default).
   */
  readonly debounceMs: number
  /**
   * The longest a change waits for its `document.changed` while edits go on, in milliseconds
   * (--webhook-max-wait-ms, 10000 by default); at least `debounceMs`.
   */
  readonly maxWaitMs: number
  /** Adds the document's content to every event in this format (--webhook-content). */
  readonly content?: ContentFormat
  readonly logger: Logger
  /** Attempts per event and URL, the first included: 8. */
  readonly attempts?: number
  /** How long one attempt may take until the response headers arrive: 10 000 ms. */
  readonly attemptTimeoutMs?: number
  /** The backoff before the first retry, 500 ms, doubling up to `retryMaxMs` (60 000 ms). */
  readonly retryBaseMs?: number
  readonly retryMaxMs?: number
  /**
   * Bounds on the events waiting per URL, 10 000 events and 64 MiB; when one is crossed, the
   * oldest events are dropped.
   */
  readonly maxQueuedEvents?: number
  readonly maxQueuedBytes?: number
  /**
   * Calls in flight per URL (--webhook-concurrency, 8 by default); a document's events still go
   * one at a time, in order.
   */
  readonly maxConcurrentCalls?: number
}

/** WebhookOptions checked, with URLs parsed (each once) and every default filled in. */
export interface ResolvedWebhookOptions {
  readonly urls: readonly URL[]
  readonly secret: string | undefined
  readonly debounceMs: number
  readonly maxWaitMs: number
  readonly content: ContentFormat | undefined
  readonly logger: Logger
  readonly attempts: number
  readonly attemptTimeoutMs: number
  readonly retryBaseMs: number
  readonly retryMaxMs: number
  readonly maxQueuedEvents: number
  readonly maxQueuedBytes: number
  readonly maxConcurrentCalls: number
}

/** Checks `options` and fills in the defaults; throws RangeError for a value that cannot work. */
export function resolveWebhookOptions(options: WebhookOptions): ResolvedWebhookOptions {
  const resolved: ResolvedWebhookOptions = {
    urls: [...new Set(options.urls)].map(parseTargetUrl),
    secret: options.secret,
    debounceMs: options.debounceMs,
    maxWaitMs: options.maxWaitMs,
    content: options.content,
    logger: options.logger,
    attempts: options.attempts ?? webhookDefaults.attempts,
    attemptTimeoutMs: options.attemptTimeoutMs ?? webhookDefaults.attemptTimeoutMs,
    retryBaseMs: options.retryBaseMs ?? webhookDefaults.retryBaseMs,
    retryMaxMs: options.retryMaxMs ?? webhookDefaults.retryMaxMs,
    maxQueuedEvents: options.maxQueuedEvents ?? webhookDefaults.maxQueuedEvents,
    maxQueuedBytes: options.maxQueuedBytes ?? webhookDefaults.maxQueuedBytes,
    maxConcurrentCalls: options.maxConcurrentCalls ?? webhookDefaults.maxConcurrentCalls,
  }
  if (resolved.urls.length === 0) throw new RangeError('webhooks need at least one URL')
  if (resolved.secret === '') throw new RangeError('webhook secret must not be empty')
  if (resolved.content !== undefined && !contentFormats.includes(resolved.content)) {
    throw new RangeError(
      `webhook content must be one of ${contentFormats.join(', ')}: "${String(resolved.content)}"`,
    )
  }
  requireWholeNumber('debounceMs', resolved.debounceMs, 0)
  requireWholeNumber('maxWaitMs', resolved.maxWaitMs, resolved.debounceMs)
  requireWholeNumber('attempts', resolved.attempts, 1)
  requireWholeNumber('attemptTimeoutMs', resolved.attemptTimeoutMs, 1)
  requireWholeNumber('retryBaseMs', resolved.retryBaseMs, 0)
  requireWholeNumber('retryMaxMs', resolved.retryMaxMs, resolved.retryBaseMs)
  requireWholeNumber('maxQueuedEvents', resolved.maxQueuedEvents, 1)
  requireWholeNumber('maxQueuedBytes', resolved.maxQueuedBytes, 1)
  requireWholeNumber('maxConcurrentCalls', resolved.maxConcurrentCalls, 1)
  return resolved
}

function requireWholeNumber(name: string, value: number, minimum: number): void {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new RangeError(`webhook ${name} must be a whole number of at least ${minimum}: ${value}`)
  }
}
