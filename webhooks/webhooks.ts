// Signed webhooks: the server's hooks turned into HTTP calls to the configured URLs. The hooks
// only record and enqueue, then return; delivery runs in the background, so a slow or failing
// receiver never slows editing.
import { renderContent } from '../content/document-content.js'
import type { Author, CollabDocument, CollabHooks } from '../server/index.js'
import { Debouncer } from './debouncer.js'
import { DeliveryQueue, type WebhookCounts } from './delivery.js'
import { resolveWebhookOptions, type WebhookOptions } from './options.js'
import { redactedUrl } from './target-url.js'
import { type WebhookEvent, type WebhookEventType, createWebhookEvent } from './webhook-event.js'

export type { WebhookCounts } from './delivery.js'
export type { WebhookOptions } from './options.js'

/** Running webhooks, created by createWebhooks; whoever created them closes them. */
export interface Webhooks {
  /** Pass to createCollabServer. */
  readonly hooks: CollabHooks
  /** What became of the events so far, across every URL: cheap enough for each scrape. */
  counts(): WebhookCounts
  /**
   * Resolves once every queue is empty or after `timeoutMs`, whichever is first. For shutdown,
   * after every document was unloaded (so nothing is pending any more).
   */
  flush(timeoutMs: number): Promise<void>
  /** Stops the timers and aborts the calls in flight; what was not delivered is dropped. */
  close(): void
}

// The changes of one document since its last `document.changed`, and the latest handle to read
// it by when that is sent (valid while the document is open; dropped when it unloads).
interface PendingChange {
  document: CollabDocument
  readonly authors: Map<string, Author>
}

/** Starts webhooks for `options`; throws RangeError for options that cannot work. */
export function createWebhooks(options: WebhookOptions): Webhooks {
  const resolved = resolveWebhookOptions(options)
  const logger = resolved.logger.child({ component: 'webhooks' })
  const queues = resolved.urls.map(
    (url) =>
      new DeliveryQueue({
        url,
        secret: resolved.secret,
        attempts: resolved.attempts,
        attemptTimeoutMs: resolved.attemptTimeoutMs,
        retryBaseMs: resolved.retryBaseMs,
        retryMaxMs: resolved.retryMaxMs,
        maxQueuedEvents: resolved.maxQueuedEvents,
        maxQueuedBytes: resolved.maxQueuedBytes,
        maxConcurrentCalls: resolved.maxConcurrentCalls,
        logger,
      }),
  )
  let isClosed = false

  const contentOf = (document: CollabDocument) => {
    const format = resolved.content
    if (format === undefined) return undefined
    try {
      return document.read((doc) => renderContent(doc, format))
    } catch (error) {
      logger.warn(
        { err: error, document: document.name },
        'could not read the document content; sending the event without it',
      )
      return undefined
    }
  }

  const enqueue = (event: WebhookEvent) => {
    for (const queue of queues) queue.enqueue(event)
  }

  // Only document.changed carries the content: rendering it costs time on the server's event
  // loop, and a loaded or unloaded document holds what the last document.changed sent.
  const send = (event: WebhookEventType, document: CollabDocument, authors: Iterable<Author>) => {
    const content = event === 'document.changed' ? contentOf(document) : undefined
    enqueue(createWebhookEvent(event, document.name, [...authors], content))
  }

  const pendingChanges = new Debouncer<string, PendingChange>({
    debounceMs: resolved.debounceMs,
    maxWaitMs: resolved.maxWaitMs,
    fire: (_name, { document, authors }) => {
      // A timer callback: nothing may escape it.
      try {
        send('document.changed', document, authors.values())
      } catch (error) {
        logger.error({ err: error, document: document.name }, 'could not send document.changed')
      }
    },
  })

  const hooks: CollabHooks = {
    onChange(document, { authors, origin }) {
      // The instance a change came in on reports it; every other instance only relays it.
      if (isClosed || origin.kind === 'bus') return
      pendingChanges.add(document.name, (pending) => {
        const change = pending ?? { document, authors: new Map<string, Author>() }
        change.document = document
        for (const author of authors) {
          // A later change without a display name keeps the one an earlier change gave.
          const known = change.authors.get(author.userId)
          change.authors.set(author.userId, author.name === undefined && known ? known : author)
        }
        return change
      })
    },
    onLoad(document) {
      if (!isClosed) send('document.loaded', document, [])
    },
    onDelete(name, { authors }) {
      if (isClosed) return
      // What changed before the delete is gone with it: no document.changed for it.
      pendingChanges.take(name)
      enqueue(createWebhookEvent('document.deleted', name, [...authors]))
    },
    onUnload(document) {
      if (isClosed) return
      const pending = pendingChanges.take(document.name)
      if (pending) send('document.changed', document, pending.authors.values())
      send('document.unloaded', document, [])
    },
  }

  logger.info(
    {
      urls: resolved.urls.map((url) => redactedUrl(url)),
      isSigned: resolved.secret !== undefined,
      content: resolved.content ?? 'none',
    },
    'webhooks started',
  )

  const counts = (): WebhookCounts => {
    const total = { delivered: 0, retried: 0, failed: 0, dropped: 0, queued: 0 }
    for (const queue of queues) {
      const { delivered, retried, failed, dropped, queued } = queue.counts()
      total.delivered += delivered
      total.retried += retried
      total.failed += failed
      total.dropped += dropped
      total.queued += queued
    }
    return total
  }

  return {
    hooks,
    counts,
    flush(timeoutMs) {
      return new Promise((resolve) => {
        // Not unref'd: at shutdown this timer is what keeps the process up for the last calls.
        const timer = setTimeout(() => {
          logger.warn({ queued: counts().queued, timeoutMs }, 'webhook flush timed out')
          resolve()
        }, timeoutMs)
        void Promise.all(queues.map((queue) => queue.idle())).then(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    },
    close() {
      isClosed = true
      pendingChanges.clear()
      for (const queue of queues) queue.close()
    },
  }
}
