// The cluster seam: several instances behind a load balancer, one PostgreSQL store, and a bus
// that says which instance owns each open document and carries the frames of connections that
// reached another instance to the owner. The server core sees only these types; scale/redis/
// implements them on Redis. Without a cluster nothing here is used.
import type { Access } from './auth.js'

/** Where a document is served: by this instance, or by the live instance that owns it. */
export type Placement =
  { readonly kind: 'here' } | { readonly kind: 'elsewhere'; readonly owner: string }

/** The bus cannot answer (Redis is down): nothing can be claimed or forwarded now. */
export class ClusterUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ClusterUnavailableError'
  }
}

/** Who is on a forwarded connection, as the instance that authenticated it decided. */
export interface ForwardedPrincipal {
  readonly userId: string
  readonly name?: string
  readonly expiresAtMs?: number
  readonly issuedAtMs?: number
}

/** What the owner learns when another instance forwards a client connection to it. */
export interface LinkHello {
  readonly document: string
  readonly principal: ForwardedPrincipal
  readonly access: Access
  readonly clientAddress: string
  readonly acknowledgesStored: boolean
}

/** One end of a forwarded connection: frames in order, then one close. */
export interface Link {
  /** Sends a y-websocket frame to the other end. */
  send(frame: Uint8Array): void
  /** Ends the link; the other end is told the code and reason. Idempotent. */
  close(code: number, reason: string): void
  /** Bytes handed to the bus that it has not taken yet: the link's unsent backlog. */
  readonly bufferedBytes: number
}

/** What happens at one end of a link. */
export interface LinkPeer {
  /** A frame from the other end. */
  frame(frame: Uint8Array): void
  /** The other end closed, or died: the link is over. */
  closed(code: number, reason: string): void
}

/** What the cluster tells the server: links to documents it owns, ownership lost, revocations. */
export interface ClusterEvents {
  /**
   * Another instance forwards a client connection of `hello.document` to this one; returns what
   * receives its frames.
   */
  linkOpened(hello: LinkHello, link: Link): LinkPeer
  /** Another instance owns `document` now (found after the bus came back): close it here. */
  ownershipLost(document: string): void
  /** Another instance revoked a user's credentials issued until `revokedAtMs`. */
  revoked(userId: string, revokedAtMs: number): void
}

/** How the bus is, for /healthz, /readyz and metrics. */
export interface ClusterStatus {
  readonly instanceId: string
  /** `degraded` while the bus cannot be reached. */
  readonly status: 'ok' | 'degraded'
  /** Round trip of the last liveness write to the bus, in ms; null while degraded. */
  readonly busLatencyMs: number | null
  /** Documents this instance owns. */
  readonly ownedDocuments: number
  /** Client connections this instance forwards to owners, and those forwarded to it. */
  readonly linksOut: number
  readonly linksIn: number
  /** Documents this instance took over from an owner that had died, since it started. */
  readonly takeovers: number
}

/** The bus of a cluster (scale/redis/ implements it). */
export interface Cluster {
  readonly instanceId: string
  /**
   * Claims `document` for this instance unless a live instance owns it. Rejects with
   * ClusterUnavailableError when the bus cannot be reached.
   */
  claim(document: string): Promise<Placement>
  /** Gives up a document this instance owned (it was unloaded). */
  release(document: string): void
  /**
   * Forwards a client connection to `owner`. Resolves with the link once the owner's inbox was
   * reached; rejects with ClusterUnavailableError, or with OwnerGoneError when nobody listens there.
   */
  connect(owner: string, hello: LinkHello, peer: LinkPeer): Promise<Link>
  /** Starts taking the links and ownership changes meant for this instance. */
  serve(events: ClusterEvents): void
  /** Tells every other instance of a revocation (each closes the user's connections). */
  announceRevocation(userId: string, revokedAtMs: number): Promise<void>
  status(): ClusterStatus
  /** Closes every link (their clients reconnect elsewhere) and leaves the bus. */
  close(): Promise<void>
}

/** The owner named by the bus no longer listens (it died): its documents may be taken over. */
export class OwnerGoneError extends Error {
  readonly owner: string
  constructor(owner: string) {
    super(`instance ${owner} no longer listens on the bus`)
    this.name = 'OwnerGoneError'
    this.owner = owner
  }
}
