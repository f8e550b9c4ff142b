// The storage interface the server core depends on: types, and the one error class callers branch
// on. Adapters implement it (persistence/memory/, persistence/leveldb/, persistence/postgres/);
// they never import server/.

/**
 * A whole document encoded as one Yjs update (v1 encoding), with its state vector. Not a
 * `Y.Snapshot` (which names a point in a document's history): this is the content itself.
 */
export interface EncodedState {
  update: Uint8Array
  stateVector: Uint8Array
}

/** What a store holds for one document. */
export interface StoredDoc {
  /** The state the log was last compacted into, or null when the document was never compacted. */
  compacted: EncodedState | null
  /**
   * The updates appended after the compacted state, in order. Apply them one by one: a damaged
   * entry can then be skipped without losing the rest.
   */
  log: Uint8Array[]
  /** Sequence number of the last appended entry (0 when there is none). */
  lastSeq: number
}

/** What the store knows of a document without loading it. */
export interface DocumentInfo {
  readonly name: string
  /** Bytes stored for its content: the compacted state plus the update log (not versions). */
  readonly bytes: number
  /** When its first update was stored, and its last (Unix ms). */
  readonly createdAtMs: number
  readonly updatedAtMs: number
}

/** One page of `listDocuments`, in name order. */
export interface DocumentPage {
  readonly documents: readonly DocumentInfo[]
  /** The name to pass as `after` for the next page; null on the last page. */
  readonly next: string | null
}

/** Which documents `listDocuments` returns. */
export interface DocumentQuery {
  /** Only names that start with this ('' for all). */
  readonly prefix: string
  /** At most this many (1 or more). */
  readonly limit: number
  /** Only names after this one (the previous page's `next`); null from the start. */
  readonly after: string | null
}

/** Why a version was saved. */
export type VersionKind = 'auto' | 'named' | 'restore'

/**
 * Someone who changed a document between a version and the one before it, as the server
 * attested it (server/documents/authorship.ts): never what a client wrote into the document.
 */
export interface VersionAuthor {
  /** The authenticated user id; null when authentication was off. */
  readonly userId: string | null
  /** The display name: the token's, else the name the client announced in its awareness. */
  readonly name: string | null
  /** False when the name came from the client's awareness without authentication. */
  readonly isVerified: boolean
  /** The Yjs client ids whose content this author's connections wrote. */
  readonly clientIds: readonly number[]
}

/** A saved version's record, without its content. */
export interface VersionInfo {
  /** Unique within its document; ids of one document sort in the order they were saved. */
  readonly id: string
  /** A name given on request (kind `named`); null otherwise. */
  readonly name: string | null
  readonly kind: VersionKind
  readonly createdAtMs: number
  /** Bytes of its content (a Yjs update). */
  readonly bytes: number
  /** Who changed the document since the version before it. */
  readonly authors: readonly VersionAuthor[]
}

/** A document as a whole, written at once (a restored backup). */
export interface DocumentImport {
  readonly state: EncodedState
  readonly createdAtMs: number
  readonly updatedAtMs: number
}

/**
 * A store shared by several processes refused a write: another process loaded the room since this
 * one did (it is now the room's writer). Nothing was written.
 */
export class WriterFencedError extends Error {
  override readonly name = 'WriterFencedError'
  /** The room this store may no longer write. */
  readonly room: string

  constructor(room: string) {
    super(
      `room ${JSON.stringify(room)} was loaded by another store since this one loaded it; nothing was written`,
    )
    this.room = room
  }
}

/**
 * Durable storage of documents as an append-only update log plus a compacted state. Each room has
 * one writer at a time: the store instance that loaded it last.
 *
 * Invariants every implementation keeps (test/helpers/store-contract.ts checks them):
 * - `load` comes before `append`/`compact` for a room, and `evict` ends that until the next load.
 *   `load` returns what has been written, and claims the room for this store instance. Loading
 *   a room this instance has loaded (and not evicted) again only reads: it neither claims nor
 *   gives up the room (the registry loads a room once per instance).
 * - In a store that several processes share (PostgreSQL), a load by another instance fences this
 *   one: its appends and compacts of the room issued after that load's claim reject with
 *   `WriterFencedError` and write nothing, until it evicts the room and loads it again (which
 *   claims it back). An append that resolved before the claim is in the new writer's load; one
 *   still in flight at the claim either resolves (and is in that load) or is fenced.
 *   `deleteDocument` and `importDocument` fence the room's writer the same way.
 *   `runSharedStoreContract` checks this. A store only one process can use (LevelDB refuses a
 *   second process on its directory; memory) never sees a second writer.
 * - `append` resolves only once the update is durable (it survives a crash of this process), with
 *   the entry's sequence number; sequence numbers rise and never restart, also across
 *   compactions, reopening and writers; appends of one room resolve in call order; a failed write
 *   rejects, it never resolves as if it had succeeded.
 * - `compact` atomically replaces the compacted state and every log entry up to `throughSeq` by
 *   `state`; `load` returns that state byte for byte, so it can be sent to clients as it is.
 *   `throughSeq` is at most the last sequence number this instance loaded or appended, and
 *   `state` includes every entry through it: the writer can promise that, since fencing keeps
 *   anyone else from appending to the room after its load.
 */
export interface DocStore {
  load(room: string): Promise<StoredDoc>
  /**
   * What `load` would return, read without loading or claiming the room: its writer, in this
   * process or another, stays its writer (a backup reads documents that other instances write).
   */
  read(room: string): Promise<StoredDoc>
  append(room: string, update: Uint8Array): Promise<number>
  compact(room: string, state: EncodedState, throughSeq: number): Promise<void>
  /** The server has unloaded the room: the store may drop what it keeps in memory for it. */
  evict(room: string): void
  /**
   * A small server-wide record kept outside every document (e.g. the revocation list), or null
   * when it was never written. Reads what was written before, also by an earlier process.
   */
  readRecord(name: string): Promise<Uint8Array | null>
  /** Replaces a server-wide record; resolves once it is as durable as an append. */
  writeRecord(name: string, value: Uint8Array): Promise<void>
  /** Stored documents whose names match `query`, in name order (UTF-16 code unit order). */
  listDocuments(query: DocumentQuery): Promise<DocumentPage>
  /** What is stored of a document; null for one never written (or deleted). */
  documentInfo(room: string): Promise<DocumentInfo | null>
  /**
   * Removes a document, its log and its versions; it is then as if never written, except that
   * its sequence numbers go on rising. The room must not be loaded. Durable as an append.
   */
  deleteDocument(room: string): Promise<void>
  /**
   * Replaces a document, that is not loaded, by `content` (its log is dropped; versions stay).
   * Durable as an append; `load` then returns `content.state` as the compacted state.
   */
  importDocument(room: string, content: DocumentImport): Promise<void>
  /** Saves a version (or replaces the one with its id); durable as an append. */
  putVersion(room: string, info: VersionInfo, content: Uint8Array): Promise<void>
  /** The document's versions, newest first; [] for none. Works loaded or not. */
  listVersions(room: string): Promise<VersionInfo[]>
  /** A version's content (the Yjs update put with it); null when there is none with `id`. */
  readVersion(room: string, id: string): Promise<Uint8Array | null>
  /** Removes a version; nothing when there is none with `id`. Durable as an append. */
  deleteVersion(room: string, id: string): Promise<void>
  /** Makes everything appended so far permanent in the store's own format, then closes it. */
  close(): Promise<void>
}
