// What the editor tells its user when the server refuses it something (the close codes of
// protocol/README.md §5) or a fresh token cannot be had, and whether it keeps reconnecting.
// Imports only the close-code table.
import { CloseCode } from '../protocol/close-codes.js'

/**
 * `forbidden`: the server closed with 4403 (access withdrawn). `session-expired`: 4401 and no
 * `getToken` to renew the token. `document-too-large`: 4413, the last change would have grown
 * the document past its limit. `rate-limited`: 4429. `token-failed`: `getToken` rejected.
 * `document-deleted`: 4410, the document was deleted (or replaced from a backup).
 */
export type ConnectionProblemKind =
  | 'forbidden'
  | 'session-expired'
  | 'document-too-large'
  | 'rate-limited'
  | 'token-failed'
  | 'document-deleted'

/** Something about the connection the user has to know, beyond its status. */
export interface ConnectionProblem {
  readonly kind: ConnectionProblemKind
  /** The sentence the editor shows, in English. */
  readonly message: string
  /**
   * True while the editor keeps reconnecting; false once it has stopped for good (the editor
   * then takes no more edits: reload the page, or create a new editor, to continue).
   */
  readonly isRetrying: boolean
  /** The WebSocket close code that caused it; absent for `token-failed`. */
  readonly closeCode?: number
}

/** The problems the editor reports, by kind. */
export const connectionProblems = {
  forbidden: {
    kind: 'forbidden',
    message: 'You no longer have access to this document',
    isRetrying: false,
    closeCode: CloseCode.forbidden,
  },
  sessionExpired: {
    kind: 'session-expired',
    message: 'Your session expired; reload to continue',
    isRetrying: false,
    closeCode: CloseCode.credentialsExpired,
  },
  changeTooLarge: {
    kind: 'document-too-large',
    message: 'This document has reached its size limit; your last change was not saved',
    isRetrying: true,
    closeCode: CloseCode.documentTooLarge,
  },
  // Nothing of this editor's own to take back, so reconnecting would send the same again.
  documentTooLarge: {
    kind: 'document-too-large',
    message: 'This document has reached its size limit; your changes could not be saved',
    isRetrying: false,
    closeCode: CloseCode.documentTooLarge,
  },
  rateLimited: {
    kind: 'rate-limited',
    message: 'Too many changes at once; reconnecting…',
    isRetrying: true,
    closeCode: CloseCode.rateLimited,
  },
  // Reconnecting would create the document anew from what this editor holds.
  documentDeleted: {
    kind: 'document-deleted',
    message: 'This document was deleted; reload to start a new one under this name',
    isRetrying: false,
    closeCode: CloseCode.documentDeleted,
  },
  tokenFailed: {
    kind: 'token-failed',
    message: 'Could not renew your session; retrying…',
    isRetrying: true,
  },
} as const satisfies Record<string, ConnectionProblem>
