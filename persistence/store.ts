// The storage interface the server core depends on (import type only). Adapters implement it;
// they never import server/.

/** Per-document metadata kept by the store. Times are Unix epoch milliseconds. */
export interface DocMeta {
  createdAtMs: number
  updatedAtMs: number
  /** Bytes of the compacted snapshot. */
  snapshotBytes: number
  /** Bytes and count of the update log entries written since the last compaction. */
  logBytes: number
  logEntries: number
}

/** A document compacted into one update, with its state vector. */
export interface Snapshot {
  update: Uint8Array
  stateVector: Uint8Array
}

/** What a store holds for one document. */
export interface StoredDoc {
  /** The compacted state, or null when the document was never compacted. */
  snapshot: Snapshot | null
  /**
   * The updates appended after the snapshot, in order. Apply them one by one: a damaged entry
   * can then be skipped without losing the rest.
   */
  log: Uint8Array[]
  /** Sequence number of the last appended entry (0 when there is none). */
  lastSeq: number
  /** null for a document that was never written. */
  meta: DocMeta | null
}

/**
 * Durable storage of documents as an append-only update log plus a compacted snapshot.
 *
 * Invariants every implementation keeps:
 * - `load` comes before `append`/`compact` for a room, and `release` ends that until the next load.
 *   `load` returns what has been written; calling it again for a loaded room only reads.
 * - `append` resolves only once the update is durable (it survives a crash of this process), with
 *   the entry's sequence number; appends of one room resolve in call order; a failed write
 *   rejects, it never resolves as if it had succeeded.
 * - `compact` atomically replaces the snapshot and every log entry up to `throughSeq` by `snapshot`;
 *   `load` returns that snapshot byte for byte, so it can be sent to clients as it is.
 */
export interface DocStore {
  load(room: string): Promise<StoredDoc>
  append(room: string, update: Uint8Array): Promise<number>
  compact(room: string, snapshot: Snapshot, throughSeq: number): Promise<void>
  /** The server no longer holds the room: the store may drop what it cached for it. */
  release(room: string): void
  /** The room's metadata, counting the writes already issued (some may still be under way). */
  meta(room: string): Promise<DocMeta | null>
  close(): Promise<void>
}
