// What the server offers of its documents outside the WebSocket path: listing, reading, the one
// server-side write path (`withDocument`), deletion, versions, restore, compaction, and whole
// documents for backups. The HTTP API (server/http/document-routes.ts) and the CLI's `--data`
// commands both go through it.
import type * as Y from 'yjs'
import type {
  DocumentInfo,
  DocumentQuery,
  EncodedState,
  VersionInfo,
} from '../../persistence/store.js'
import type { Principal } from '../auth.js'

/** A document as the listing shows it: what is stored, and who is connected now. */
export interface DocumentEntry extends DocumentInfo {
  /** WebSocket connections open on it now (0 when it is not loaded). */
  readonly connections: number
}

/** One page of `list`. */
export interface DocumentEntryPage {
  readonly documents: readonly DocumentEntry[]
  /** Pass as `after` for the next page; null on the last one. */
  readonly next: string | null
}

/** Who asks for a server-side change: a principal, or the server itself (null; the CLI). */
export type Actor = Principal | null

/** What `withDocument` resolves with. */
export interface DocumentChange<T> {
  /** What `change` returned. */
  readonly result: T
  /** True when the document had never been written before this change. */
  readonly created: boolean
}

/** Conditions of a server-side write. */
export interface WriteOptions {
  /** Write only when the document is absent or empty (HTTP `If-None-Match: *`). */
  readonly onlyIfEmpty?: boolean
}

/** What a conditional write did. */
export interface ContentWrite {
  /** False when `onlyIfEmpty` found the document holding content: nothing was written. */
  readonly written: boolean
  /** True when the document had never been written before. */
  readonly created: boolean
}

/** What `inspect` tells of a document. */
export interface DocumentInspection {
  readonly name: string
  /** Bytes of the full state encoded as one update. */
  readonly bytes: number
  /** Entries and bytes in the update log that the next compaction folds in. */
  readonly logEntries: number
  readonly logBytes: number
  /** Deleted items the document still holds tombstones of, and their content length. */
  readonly deletedItems: number
  readonly deletedLength: number
  /** Yjs client ids that wrote to it. */
  readonly clients: number
  readonly versions: number
  readonly createdAtMs: number
  readonly updatedAtMs: number
}

/** A saved version, with its content. */
export interface VersionContent {
  readonly info: VersionInfo
  /**
   * A Yjs update (v1). From `version`: the whole document as it was. In a DocumentBackup: as
   * the store keeps it, a link of the chain (server/rooms/version-history.ts).
   */
  readonly content: Uint8Array
}

/**
 * A whole document, for a backup: its state, metadata and every version as the store keeps it
 * (the oldest a whole state, each later one what changed since the one before it).
 */
export interface DocumentBackup {
  readonly name: string
  readonly createdAtMs: number
  readonly updatedAtMs: number
  readonly state: EncodedState
  /** Newest first. */
  readonly versions: readonly VersionContent[]
}

/** What `restore` resolves with. */
export interface RestoreResult {
  /** The version restored. */
  readonly restored: string
  /** The version saved of the state just before the restore (kind `restore`). */
  readonly before: string
}

/**
 * The documents of one server. Every change goes through the same path as a client's update
 * (checked, stored before it is relayed, compacted), so connected clients see it at once.
 * Changes of one document through this interface happen one at a time, in call order.
 * Methods that name a document reject with a DocumentNotFoundError for one never written
 * (except `withDocument` and `importBackup`).
 */
export interface CollabDocuments {
  /** Stored documents matching `query`, with their connections now. */
  list(query: DocumentQuery): Promise<DocumentEntryPage>
  /** The document's entry; null for one never written. */
  entry(name: string): Promise<DocumentEntry | null>
  /** Runs `read` on the document as it is now (it must not change it). */
  read<T>(name: string, read: (doc: Y.Doc) => T): Promise<T>
  /** The document's full state as one Yjs update (v1). */
  state(name: string): Promise<Uint8Array>
  /**
   * Applies `change` to a copy of the document as it is now, then writes what it changed as one
   * update with an `api` origin for `actor`, through the clients' write path. Resolves once that
   * is durable and relayed. A `change` that changes nothing writes nothing.
   */
  withDocument<T>(name: string, actor: Actor, change: (doc: Y.Doc) => T): Promise<DocumentChange<T>>
  /** Merges a Yjs update (v1) into the document through the clients' write path. */
  merge(
    name: string,
    update: Uint8Array,
    actor: Actor,
    options?: WriteOptions,
  ): Promise<ContentWrite>
  /**
   * Makes the document's content that of `source` as a forward change, as a restore does (only
   * what differs is deleted and inserted anew). `source` is not changed.
   */
  replace(name: string, source: Y.Doc, actor: Actor, options?: WriteOptions): Promise<ContentWrite>
  /**
   * Deletes the document: its connections are closed with 4410, its storage and versions are
   * removed, and a later client starts from an empty document.
   */
  delete(name: string, actor: Actor): Promise<void>
  /** The document's versions, newest first. */
  versions(name: string): Promise<VersionInfo[]>
  /** Saves a version of the document as it is now, named on request (kind `named`). */
  saveVersion(name: string, versionName: string): Promise<VersionInfo>
  /** A version's content; rejects with a VersionNotFoundError when there is none with `id`. */
  version(name: string, id: string): Promise<VersionContent>
  /**
   * Removes version `id` (what it changed stays in the versions after it); rejects with a
   * VersionNotFoundError when there is none with `id`.
   */
  deleteVersion(name: string, id: string): Promise<void>
  /** Runs `read` on version `id` of the document (it must not change it). */
  readVersion<T>(name: string, id: string, read: (doc: Y.Doc) => T): Promise<T>
  /**
   * Makes the document's content that of version `id`, as a new change on top of it (connected
   * clients see it at once), after saving the state before it as a version of kind `restore`.
   */
  restore(name: string, id: string, actor: Actor): Promise<RestoreResult>
  /** Folds the document's update log into one state. */
  compact(name: string): Promise<void>
  /** What the document holds: sizes, log, deleted content, clients, versions. */
  inspect(name: string): Promise<DocumentInspection>
  /** The whole document with its versions, consistent (taken at one moment). */
  exportBackup(name: string): Promise<DocumentBackup>
  /**
   * Replaces the document, versions included, by `backup` (connections open on it are closed
   * with 4410 first, as for a delete).
   */
  importBackup(backup: DocumentBackup): Promise<void>
}

/** The document was never written (or was deleted). */
export class DocumentNotFoundError extends Error {
  override readonly name = 'DocumentNotFoundError'
  constructor(document: string) {
    super(`no document named ${JSON.stringify(document)}`)
  }
}

/** The document has no version with that id. */
export class VersionNotFoundError extends Error {
  override readonly name = 'VersionNotFoundError'
  constructor(document: string, id: string) {
    super(`the document ${JSON.stringify(document)} has no version ${JSON.stringify(id)}`)
  }
}
