// The authentication seam: who is on a connection and what they may do with a document. The
// server core calls `authenticate` before it loads a room; implementations (a JWT verifier, an
// app's own sessions) are chosen by the caller of createCollabServer. Imports nothing.

/** What a principal may do with one document. */
export type Access = 'read' | 'write'

/** The authenticated party on a connection or request. */
export interface Principal {
  /** Stable user id (a token's `sub`); 'anonymous' when authentication is off. */
  readonly userId: string
  /** Display name, when the authenticator knows one. */
  readonly name?: string
  /** May do server-wide operations: list every document, delete, back up, revoke. */
  readonly isAdmin?: boolean
  /** When the credential expires (Unix ms); an open connection is closed with 4401 by then. */
  readonly expiresAtMs?: number
  /** When the credential was issued (Unix ms); a revocation refuses those issued before it. */
  readonly issuedAtMs?: number
  /** What this principal may do with `document`; null: nothing, not even read it. */
  access(document: string): Access | null
}

/** Why a request is refused before it reaches a document: an HTTP status with a JSON reason. */
export interface Refusal {
  readonly kind: 'refusal'
  readonly status: 401 | 403 | 429 | 503
  /** Machine-readable code, e.g. 'COLLAB_UNAUTHENTICATED'. */
  readonly error: string
  /** What is wrong, for a person; never echoes a credential. */
  readonly reason: string
}

/** What an authenticator sees of a WebSocket upgrade or HTTP request. */
export interface AuthRequest {
  /** The full request URL (the query holds y-websocket's `params`, e.g. `token`). */
  readonly url: URL
  readonly headers: Headers
  /** The client's address: the socket's, or the forwarded one from a trusted proxy. */
  readonly remoteAddress: string | undefined
  /**
   * True when the request's Origin header names this server or an allowed origin. Ambient
   * credentials (cookies) count only then: a page on another site cannot ride them.
   */
  readonly isTrustedOrigin: boolean
}

/**
 * Decides who a request comes from, before any document is loaded. Resolves with the principal,
 * or with a refusal that is answered as an HTTP status; a rejection is answered with 500.
 */
export type Authenticate = (request: AuthRequest) => Promise<Principal | Refusal>

/** Builds a refusal. */
export function refuse(status: Refusal['status'], error: string, reason: string): Refusal {
  return { kind: 'refusal', status, error, reason }
}

/** Tells a refusal from a principal. */
export function isRefusal(result: Principal | Refusal): result is Refusal {
  return 'kind' in result && result.kind === 'refusal'
}

/** The user id of everyone while authentication is off: nobody proved who they are. */
export const anonymousUserId = 'anonymous'

const anonymous: Principal = { userId: anonymousUserId, access: () => 'write' }

/** The default authenticator: authentication is off, and everyone may write every document. */
export const allowEveryone: Authenticate = () => Promise.resolve(anonymous)
