// The per-room metadata record (`v1\0<room>\0meta`): what `documentInfo` and `listDocuments` return
// of a room that is not loaded, and the times the store carries from load to load. Imports only
// the interface's types.
import type { DocumentInfo } from '../store.js'

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
 * The record is written with a room's first update, with every compaction, when the room is
 * evicted or the store closes, and at most once per this interval in between: after a crash
 * `updatedAtMs` (and the log's size in the record) is at most this stale.
 */
export const metaIntervalMs = 1000

/** The stored bytes of a room's record. */
export function encodeMetaRecord(times: RoomTimes, logBytes: number, logEntries: number): Buffer {
  const record: MetaRecord = { ...times, logBytes, logEntries }
  return Buffer.from(JSON.stringify(record))
}

/** What a stored record holds: the times, and the log's size then (the store recounts it). */
export interface StoredMeta {
  times: RoomTimes
  logBytes: number
  logEntries: number
}

/** The stored record (null when the room has none: it was never written, or was deleted). */
export function readMetaRecord(stored: Buffer | undefined): StoredMeta | null {
  if (!stored) return null
  const record = JSON.parse(stored.toString('utf8')) as MetaRecord
  return {
    times: {
      createdAtMs: record.createdAtMs,
      updatedAtMs: record.updatedAtMs,
      snapshotBytes: record.snapshotBytes,
    },
    logBytes: record.logBytes,
    logEntries: record.logEntries,
  }
}

/** The `DocumentInfo` of a room from its times and the bytes of its live log. */
export const documentInfoOf = (name: string, times: RoomTimes, logBytes: number): DocumentInfo => ({
  name,
  bytes: times.snapshotBytes + logBytes,
  createdAtMs: times.createdAtMs,
  updatedAtMs: times.updatedAtMs,
})

/** The `DocumentInfo` a stored record gives (null without one). */
export function readDocumentInfo(name: string, stored: Buffer | undefined): DocumentInfo | null {
  const meta = readMetaRecord(stored)
  return meta && documentInfoOf(name, meta.times, meta.logBytes)
}
