// Delivering webhook events to one URL: a bounded queue, a few calls at a time over keep-alive
// connections and a document's events in order, each call retried with exponential backoff and
// jitter, each attempt signed afresh and timed out.
import { setMaxListeners } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import type { Logger } from '../server/logger.js'
import { post, postTarget, type PostTarget } from './post.js'
import { signatureHeader } from './signature.js'
import { redactedUrl, requestTarget, type RequestTarget } from './target-url.js'
import type { WebhookEvent } from './webhook-event.js'

/**
 * What became of webhook events, counted per URL (an event for two URLs counts twice). Every
 * event accepted is delivered, failed, dropped or still queued; `retried` counts attempts.
 */
export interface WebhookCounts {
  /** Answered with a 2xx. */
  readonly delivered: number
  /** Attempts made again after a network error, a timeout, a 429 or a 5xx. */
  readonly retried: number
  /** Refused with another status, or still failing after the last attempt. */
  readonly failed: number
  /** Discarded undelivered: the queue was full, or the webhooks closed with it waiting. */
  readonly dropped: number
  /** Waiting to be delivered now, those being sent included. */
  readonly queued: number
}

/** How a DeliveryQueue sends, retries and bounds its events. */
export interface DeliveryOptions {
  readonly url: URL
  /** Signs every attempt (X-Collab-Signature) when set. */
  readonly secret: string | undefined
  /** Attempts per event, the first included. */
  readonly attempts: number
  /**
   * How long one attempt may take until the response headers arrive, in milliseconds. The
   * answer's body, drained unread, is cut off at the same deadline without changing the outcome.
   */
  readonly attemptTimeoutMs: number
  /** The backoff before the first retry; it doubles with every further one, up to the maximum. */
  readonly retryBaseMs: number
  readonly retryMaxMs: number
  /** Bounds on the events waiting (the one being sent not included); the oldest go first. */
  readonly maxQueuedEvents: number
  readonly maxQueuedBytes: number
  /**
   * Calls in flight at once, and connections kept open to the URL; a document's events still go
   * one at a time, in order.
   */
  readonly maxConcurrentCalls: number
  readonly logger: Logger
}

/** The User-Agent of every webhook call. */
const webhookUserAgent = 'collab-server-webhooks'

/** How one attempt ended: `refused` is final, `retry` is worth another attempt. */
interface AttemptResult {
  readonly outcome: 'delivered' | 'retry' | 'refused'
  /** The response's status; none after a network error or a timeout (then `error` says which). */
  readonly status?: number
  readonly error?: unknown
}

/**
 * The events for one URL. Up to `maxConcurrentCalls` are sent at once, oldest first, but never
 * two of one document: a receiver sees a document's changed before its unloaded, and a retry
 * never overtakes a later event of its document. One call at a time would cap a URL at one
 * event per round trip, fewer than a server with many documents being edited makes. A slow or
 * hanging receiver holds back only its own queue.
 */
export class DeliveryQueue {
  readonly #options: DeliveryOptions
  readonly #target: RequestTarget
  readonly #connections: PostTarget
  readonly #logger: Logger
  readonly #waiting: WebhookEvent[] = []
  #waitingBytes = 0
  /** Documents with an event in flight: their next events wait. */
  readonly #sending = new Set<string>()
  #isOverflowing = false
  #idleWaiters: Array<() => void> = []
  readonly #closing = new AbortController()
  #delivered = 0
  #retried = 0
  #failed = 0
  #dropped = 0

  constructor(options: DeliveryOptions) {
    this.#options = options
    this.#target = requestTarget(options.url)
    this.#connections = postTarget(this.#target.url, options.maxConcurrentCalls)
    // Each event being sent waits for the close once, in its call or in its backoff: up to
    // maxConcurrentCalls listeners are expected, where Node warns of a leak past ten.
    setMaxListeners(options.maxConcurrentCalls, this.#closing.signal)
    this.#logger = options.logger.child({ webhook: redactedUrl(options.url) })
  }

  /** Adds `event` to the queue and returns at once; sending happens in the background. */
  enqueue(event: WebhookEvent): void {
    if (this.#closing.signal.aborted) {
      this.#dropped++
      return
    }
    this.#waiting.push(event)
    this.#waitingBytes += event.bytes
    this.#dropOverflow()
    this.#sendWhatMay()
  }

  /** This queue's counts. */
  counts(): WebhookCounts {
    return {
      delivered: this.#delivered,
      retried: this.#retried,
      failed: this.#failed,
      dropped: this.#dropped,
      queued: this.#waiting.length + this.#sending.size,
    }
  }

  /** Resolves once nothing is waiting or being sent (at once if nothing is), or on close. */
  idle(): Promise<void> {
    if (this.#sending.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  /**
   * Aborts the calls in flight and any backoff and closes the connections; every event not yet
   * delivered is dropped. Nothing of this queue keeps the process up afterwards.
   */
  close(): void {
    if (this.#closing.signal.aborted) return
    const undelivered = this.#waiting.length + this.#sending.size
    this.#dropped += undelivered
    this.#waiting.length = 0
    this.#waitingBytes = 0
    this.#sending.clear()
    this.#closing.abort()
    this.#connections.agent.destroy()
    if (undelivered > 0) this.#logger.warn({ undelivered }, 'webhook events dropped at close')
    this.#notifyIdle()
  }

  #dropOverflow(): void {
    const { maxQueuedEvents, maxQueuedBytes } = this.#options
    while (this.#waiting.length > maxQueuedEvents || this.#waitingBytes > maxQueuedBytes) {
      const oldest = this.#waiting.shift()
      if (!oldest) break
      this.#waitingBytes -= oldest.bytes
      this.#dropped++
      // Once per overflow, not once per event: a receiver that is down would flood the log.
      if (!this.#isOverflowing) {
        this.#isOverflowing = true
        this.#logger.warn(
          { maxQueuedEvents, maxQueuedBytes, dropped: this.#dropped },
          'webhook queue full: dropping the oldest events',
        )
      }
    }
  }

  // Starts the oldest waiting events whose documents have nothing in flight, while calls are free.
  #sendWhatMay(): void {
    for (let index = 0; index < this.#waiting.length;) {
      if (this.#sending.size >= this.#options.maxConcurrentCalls) return
      const event = this.#waiting[index]!
      if (this.#sending.has(event.document)) {
        index++
        continue
      }
      this.#waiting.splice(index, 1)
      this.#waitingBytes -= event.bytes
      this.#sending.add(event.document)
      void this.#deliver(event).then(() => {
        if (this.#closing.signal.aborted) return
        this.#sending.delete(event.document)
        this.#sendWhatMay()
        if (this.#sending.size > 0) return
        this.#isOverflowing = false
        this.#notifyIdle()
      })
    }
  }

  async #deliver(event: WebhookEvent): Promise<void> {
    const { attempts } = this.#options
    const about = { id: event.id, event: event.event, document: event.document }
    for (let attempt = 1; ; attempt++) {
      const { outcome, status, error: err } = await this.#attempt(event)
      if (this.#closing.signal.aborted) return
      if (outcome === 'delivered') {
        this.#delivered++
        this.#logger.debug({ ...about, status, attempt }, 'webhook delivered')
        return
      }
      if (outcome === 'refused' || attempt >= attempts) {
        this.#failed++
        const message =
          outcome === 'refused' ? 'webhook refused; not retried' : 'webhook failed; giving up'
        this.#logger.warn({ ...about, status, err, attempts: attempt }, message)
        return
      }
      const backoffMs = this.#backoffMs(attempt)
      this.#logger.debug({ ...about, status, err, attempt, backoffMs }, 'webhook failed; retrying')
      try {
        await delay(backoffMs, undefined, { signal: this.#closing.signal, ref: false })
      } catch {
        return // closed while backing off
      }
      this.#retried++
    }
  }

  async #attempt(event: WebhookEvent): Promise<AttemptResult> {
    const { secret, attemptTimeoutMs } = this.#options
    const { authorization } = this.#target
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      'Content-Length': event.bytes,
      'User-Agent': webhookUserAgent,
      'X-Collab-Event': event.event,
    }
    if (authorization !== undefined) headers.Authorization = authorization
    if (secret !== undefined) {
      headers['X-Collab-Signature'] = signatureHeader(
        secret,
        event.body,
        Math.floor(Date.now() / 1000),
      )
    }
    // A signed body goes to the configured URL only: post never follows a redirect.
    const { status, error } = await post(this.#connections, {
      headers,
      body: event.body,
      timeoutMs: attemptTimeoutMs,
      signal: this.#closing.signal,
    })
    // A network error or a timeout.
    if (status === undefined) return { outcome: 'retry', error }
    if (status >= 200 && status < 300) return { outcome: 'delivered', status }
    const isTransient = status === 429 || status >= 500
    return { outcome: isTransient ? 'retry' : 'refused', status }
  }

  // Doubles from retryBaseMs up to retryMaxMs; "equal jitter" takes between half and all of
  // that, so receivers that failed together are not all retried at the same instant.
  #backoffMs(attempt: number): number {
    const { retryBaseMs, retryMaxMs } = this.#options
    const nominalMs = Math.min(retryMaxMs, retryBaseMs * 2 ** (attempt - 1))
    return Math.round(nominalMs / 2 + (Math.random() * nominalMs) / 2)
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    for (const resolve of waiters) resolve()
  }
}
