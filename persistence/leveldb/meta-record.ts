// The per-room metadata record (`v1\0<room>\0meta`). No DocStore method returns it, but it is part
// of the storage format and the document-listing API will read it, so the store keeps writing it.
// Imports nothing.

/** The record as stored: JSON with the keys in this order. Times are Unix epoch milliseconds. */
interface MetaRecord {
  createdAtMs: number
  updatedAtMs: number
  /** Bytes of the compacted state's update. */
  snapshotBytes: number
  /** Bytes and count of the log entries written since the last compaction. */
  logBytes: number
  logEntries: number
}

/** The fields the store carries from load to load; the log counts are recounted from the log. */
export type RoomTimes = Pick<MetaRecord, 'createdAtMs' | 'updatedAtMs' | 'snapshotBytes'>

/**
 * The record is written with a room's first update, with every compaction and at most once per
 * this interval in between: after a crash `updatedAtMs` is at most this stale.
 */
export const metaIntervalMs = 1000

/** The stored bytes of a room's record. */
export function encodeMetaRecord(times: RoomTimes, logBytes: number, logEntries: number): Buffer {
  const record: MetaRecord = { ...times, logBytes, logEntries }
  return Buffer.from(JSON.stringify(record))
}

/** The times held by a stored record (null when the room has none: it was never written). */
export function readRoomTimes(stored: Buffer | undefined): RoomTimes | null {
  if (!stored) return null
  const record = JSON.parse(stored.toString('utf8')) as MetaRecord
  return {
    createdAtMs: record.createdAtMs,
    updatedAtMs: record.updatedAtMs,
    snapshotBytes: record.snapshotBytes,
  }
}
