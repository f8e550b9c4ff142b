// Typed origins of changes and the observer interface: what metrics, webhooks, history and a
// cluster bus learn about rooms. Observers watch; they never change what the server does.
import type * as Y from 'yjs'
import type { Access, Principal } from './auth.js'
import type { Logger } from './logger.js'

/** A change that came in on a WebSocket connection. */
export interface ConnectionOrigin {
  readonly kind: 'connection'
  /** Unique among the server's connections for its lifetime. */
  readonly connectionId: number
  readonly principal: Principal
  /** The principal's access to the connection's document, decided at the upgrade. */
  readonly access: Access
  /**
   * The client's address as the server resolved it at the upgrade: the socket's peer, or the
   * X-Forwarded-For hop of a trusted proxy (server/limits/client-address.ts). Tells a reconnect
   * of an unauthenticated client from another client (server/rooms/room-presence.ts). It names
   * a person's network: never log it with their token.
   */
  readonly clientAddress: string
}

/**
 * Where a change came from. Every update the server applies carries one: `connection` (a client),
 * `api` (a server-side write for a principal, or the server itself when null), `bus` (relayed
 * from another instance, already stored) and `store` (loaded from storage).
 */
export type Origin =
  | ConnectionOrigin
  | { readonly kind: 'api'; readonly principal: Principal | null }
  | { readonly kind: 'bus'; readonly instanceId: string }
  | { readonly kind: 'store' }

/** The origin of everything loaded from the store. */
export const storeOrigin: Origin = { kind: 'store' }

/**
 * An open document, as observers and hooks see it. Valid while the call runs; read it there, or
 * keep the name and read it again later through the server.
 */
export interface CollabDocument {
  readonly name: string
  /**
   * Runs `read` on the document as it is now and returns what it returns. `read` must not change
   * the document: a change made there is neither stored nor relayed.
   */
  read<T>(read: (doc: Y.Doc) => T): T
}

/** How long an update took, in milliseconds. */
export interface UpdateTiming {
  /** The store's append, until the update was durable. */
  readonly appendMs: number
  /** Receipt to sent to every connection of the room. */
  readonly relayMs: number
}

/** How a connection ended, with what it carried (for access logs and metrics). */
export interface ConnectionSummary {
  readonly connection: ConnectionOrigin
  /** The close code: the server's, the client's, or 1006 when the socket dropped. */
  readonly code: number
  readonly durationMs: number
  readonly messagesReceived: number
  readonly bytesReceived: number
  readonly messagesSent: number
  readonly bytesSent: number
}

/** An upgrade the server refused, before any WebSocket opened. */
export interface RefusedUpgrade {
  /** The document the path named, if it named a valid one. */
  readonly document: string | undefined
  readonly status: number
  /** The `COLLAB_…` code of the refusal (an authenticator's own code when it refused). */
  readonly error: string
  readonly clientAddress: string | undefined
  readonly durationMs: number
}

/** Which awareness client ids an update set or removed, and how many states the room now holds. */
export interface AwarenessChange {
  readonly present: readonly number[]
  readonly removed: readonly number[]
  readonly stateCount: number
}

/** What a compaction wrote. */
export interface Compaction {
  /** Log entries and bytes the compacted state replaced. */
  readonly entries: number
  readonly logBytes: number
  /** Bytes of the compacted state. */
  readonly stateBytes: number
  readonly durationMs: number
}

/** Which store call failed. */
export type StoreOperation = 'load' | 'append' | 'compact'

/**
 * Events of rooms, each with one meaning. Every method is optional and called synchronously on
 * the server's event loop, so it must be quick; one that throws is logged and the others still
 * run. `room` is the document name.
 */
export interface CollabObserver {
  /** An update is durable and has been relayed to the room's connections. */
  updateStored?(
    room: string,
    update: Uint8Array,
    origin: Origin,
    document: CollabDocument,
    timing: UpdateTiming,
  ): void
  /** An awareness update changed the room's presence states. */
  awarenessChanged?(room: string, change: AwarenessChange, origin: Origin): void
  /** A connection joined a room (its document is loaded). */
  joined?(room: string, connection: ConnectionOrigin): void
  /** A connection left a room. */
  left?(room: string, connection: ConnectionOrigin): void
  /** A room's stored state was loaded. */
  loaded?(room: string, document: CollabDocument): void
  /** A room was compacted and written for the last time; it is dropped from memory next. */
  unloading?(room: string, document: CollabDocument): void
  /** A room was compacted, written and dropped from memory. */
  unloaded?(room: string): void
  /** A document was deleted (its storage and versions are gone) by a server-side change. */
  deleted?(room: string, origin: Origin): void
  /** A room's update log was compacted into one state. */
  compacted?(room: string, compaction: Compaction): void
  /** A store call failed; for `append` the update was neither relayed nor kept. */
  storeFailed?(room: string, operation: StoreOperation, error: unknown): void
  /**
   * Yjs failed on a room's document: `skipped` when building it from the store left out stored
   * updates (it is served without them), `broken` when applying a durable update to the open
   * document failed (its connections are closed with 1011 and it is loaded afresh).
   */
  documentFailed?(room: string, failure: 'skipped' | 'broken', error: unknown): void
  /** A connection's socket closed (it has left its room). */
  connectionClosed?(room: string, summary: ConnectionSummary): void
  /** An upgrade was refused with an HTTP status. */
  upgradeRefused?(refusal: RefusedUpgrade): void
}

type EventName = keyof CollabObserver
type EventArgs<Name extends EventName> = Parameters<NonNullable<CollabObserver[Name]>>

/** The server's observers, notified in order; one that throws is logged and skipped. */
export class Observers {
  readonly #observers: readonly CollabObserver[]
  readonly #logger: Logger

  constructor(observers: readonly CollabObserver[], logger: Logger) {
    this.#observers = observers
    this.#logger = logger
  }

  /** Calls `event` on every observer that has it. */
  notify<Name extends EventName>(event: Name, ...args: EventArgs<Name>): void {
    for (const observer of this.#observers) {
      const method = observer[event] as ((...values: EventArgs<Name>) => void) | undefined
      if (!method) continue
      try {
        method.apply(observer, args)
      } catch (error) {
        this.#logger.error({ err: error, event }, 'an observer failed; the server carries on')
      }
    }
  }
}
