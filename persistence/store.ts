// The storage interface the server core depends on (import type only). Adapters implement it
// (persistence/memory/, persistence/leveldb/); they never import server/.

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

/**
 * Durable storage of documents as an append-only update log plus a compacted state. One server
 * process writes a room at a time (the registry loads it once).
 *
 * Invariants every implementation keeps (test/helpers/store-contract.ts checks them):
 * - `load` comes before `append`/`compact` for a room, and `evict` ends that until the next load.
 *   `load` returns what has been written; calling it again for a loaded room only reads.
 * - `append` resolves only once the update is durable (it survives a crash of this process), with
 *   the entry's sequence number; sequence numbers rise and never restart, also across
 *   compactions and reopening; appends of one room resolve in call order; a failed write rejects,
 *   it never resolves as if it had succeeded.
 * - `compact` atomically replaces the compacted state and every log entry up to `throughSeq` by
 *   `state`; `load` returns that state byte for byte, so it can be sent to clients as it is.
 */
export interface DocStore {
  load(room: string): Promise<StoredDoc>
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
  /** Makes everything appended so far permanent in the store's own format, then closes it. */
  close(): Promise<void>
}
