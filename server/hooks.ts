// The embedding API's typed hooks: what an app that runs the server in its own process learns of
// its documents. Each hook has one meaning and one signature; they are observers underneath
// (server/events.ts), so they watch and never change what the server does.
import { anonymousUserId } from './auth.js'
import type { CollabDocument, CollabObserver, Origin, StoreOperation } from './events.js'

/** Who made a change. */
export interface Author {
  readonly userId: string
  /** The display name, when the authenticator knows one. */
  readonly name?: string
}

/** What `onChange` is told of one change. */
export interface ChangeDetails {
  /** Who made it: the connection's authenticated user; none for anonymous or server changes. */
  readonly authors: readonly Author[]
  readonly origin: Origin
}

/** A store call that failed. */
export interface StoreErrorDetails {
  readonly document: string
  readonly operation: StoreOperation
  readonly error: unknown
}

/**
 * Hooks of createCollabServer. All are optional and called synchronously on the server's event
 * loop, so each must be quick (start async work and return); one that throws is logged.
 */
export interface CollabHooks {
  /** A change is durable and every connection of the document has been sent it. */
  onChange?(document: CollabDocument, change: ChangeDetails): void
  /** A document was loaded from the store (a first connection, or a server-side read). */
  onLoad?(document: CollabDocument): void
  /**
   * A document was written for the last time and leaves memory: its last connection left and
   * the unload grace passed, or the server is shutting down. Still readable during the call.
   */
  onUnload?(document: CollabDocument): void
  /**
   * A document was deleted through the server (the document API, the CLI): its storage and
   * versions are gone. `authors` is who deleted it.
   */
  onDelete?(document: string, details: ChangeDetails): void
  /** A store call failed: a load, an append (that change was refused) or a compaction. */
  onStoreError?(details: StoreErrorDetails): void
}

/** The authors `onChange` reports for a change of `origin`. */
export function authorsOf(origin: Origin): readonly Author[] {
  if (origin.kind !== 'connection' && origin.kind !== 'api') return []
  const { principal } = origin
  if (!principal || principal.userId === anonymousUserId) return []
  const { userId, name } = principal
  return [name === undefined ? { userId } : { userId, name }]
}

/** The observer that calls `hooks`; only the events of the hooks given are observed. */
export function observerOfHooks(hooks: CollabHooks): CollabObserver {
  const observer: CollabObserver = {}
  if (hooks.onChange) {
    observer.updateStored = (_room, _update, origin, document) =>
      hooks.onChange?.(document, { authors: authorsOf(origin), origin })
  }
  if (hooks.onLoad) observer.loaded = (_room, document) => hooks.onLoad?.(document)
  if (hooks.onUnload) observer.unloading = (_room, document) => hooks.onUnload?.(document)
  if (hooks.onDelete) {
    observer.deleted = (document, origin) =>
      hooks.onDelete?.(document, { authors: authorsOf(origin), origin })
  }
  if (hooks.onStoreError) {
    observer.storeFailed = (document, operation, error) =>
      hooks.onStoreError?.({ document, operation, error })
  }
  return observer
}
