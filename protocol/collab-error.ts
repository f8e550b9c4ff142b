// The one error type of the collaboration protocol and server. No Node or DOM imports.
import type { CloseCodeValue } from './close-codes.js'

/** Machine-readable reason for a CollabError; callers branch on this, not on messages. */
export type CollabErrorCode =
  | 'COLLAB_BAD_FRAME'
  | 'COLLAB_UNKNOWN_MESSAGE'
  | 'COLLAB_BAD_PAYLOAD'
  | 'COLLAB_STORE_FAILED'
  | 'COLLAB_SLOW_CONSUMER'
  | 'COLLAB_LIMIT'
  | 'COLLAB_AWARENESS_REFUSED'
  | 'COLLAB_RATE_LIMITED'
  | 'COLLAB_DOCUMENT_TOO_LARGE'
  | 'COLLAB_DOCUMENT_UNAVAILABLE'
  | 'COLLAB_DOCUMENT_DELETED'
  | 'COLLAB_MOVED'
  | 'COLLAB_TOKEN_EXPIRED'
  | 'COLLAB_REVOKED'
  | 'COLLAB_INTERNAL'

/**
 * An error that ends one connection: it carries the close code and a reason a person can read.
 * The message is sent as the WebSocket close reason, so keep it short and specific.
 */
export class CollabError extends Error {
  readonly code: CollabErrorCode
  readonly closeCode: CloseCodeValue

  constructor(
    code: CollabErrorCode,
    closeCode: CloseCodeValue,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'CollabError'
    this.code = code
    this.closeCode = closeCode
  }
}
