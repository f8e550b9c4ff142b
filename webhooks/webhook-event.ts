// What a webhook call says: the event types, the JSON body, and an event serialized once for
// every URL and every retry (so its id and body never change between attempts).
import { randomUUID } from 'node:crypto'
import type { ProseMirrorJson } from '../content/document-content.js'
import type { Author } from '../server/index.js'

/**
 * The events webhooks report: `document.changed` once a burst of changes has settled (or at
 * least every max wait while it goes on), `document.loaded` and `document.unloaded` as the
 * document enters and leaves the server's memory, `document.deleted` when it was deleted (its
 * storage and versions are gone; `authors` is who deleted it).
 */
export type WebhookEventType =
  'document.changed' | 'document.loaded' | 'document.unloaded' | 'document.deleted'

/** The JSON body of a webhook call. */
export interface WebhookPayload {
  /** Unique per event and the same on every retry: receivers drop duplicates by it. */
  readonly id: string
  readonly event: WebhookEventType
  /** The document name. */
  readonly document: string
  /** When the event happened (for `document.changed`: when the call was made), ISO 8601. */
  readonly time: string
  /** Who changed the document since the last `document.changed`; empty for other events. */
  readonly authors: readonly Author[]
  /** The document, when content is configured: a string for text and markdown, JSON for json. */
  readonly content?: string | ProseMirrorJson
}

/** An event ready to send: its body is serialized once and shared by every URL's queue. */
export interface WebhookEvent {
  readonly id: string
  readonly event: WebhookEventType
  readonly document: string
  readonly body: string
  /** The body's size in UTF-8, for the queues' byte bound. */
  readonly bytes: number
}

/** A new event of `event` for `document`, happening now, with a fresh id. */
export function createWebhookEvent(
  event: WebhookEventType,
  document: string,
  authors: readonly Author[],
  content?: string | ProseMirrorJson,
): WebhookEvent {
  const payload: WebhookPayload = {
    id: randomUUID(),
    event,
    document,
    time: new Date().toISOString(),
    // Copied field by field: only the user id and display name ever leave the server.
    authors: authors.map(({ userId, name }) =>
      name === undefined ? { userId } : { userId, name },
    ),
    ...(content !== undefined && { content }),
  }
  const body = JSON.stringify(payload)
  return { id: payload.id, event, document, body, bytes: Buffer.byteLength(body) }
}
