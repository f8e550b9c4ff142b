// What the LevelDB store keeps in memory for a loaded room: its next sequence number, the sizes
// of its live log, its times, and whether its `meta` record and index entry are written. Imports
// nothing from server/.
import type { DocumentInfo } from '../store.js'
import type { BatchOperation } from './database.js'
import { indexPut } from './document-index.js'
import { logKeyPrefix, metaKey } from './keys.js'
import {
  type RoomTimes,
  documentInfoOf,
  encodeMetaRecord,
  metaIntervalMs,
  readMetaRecord,
} from './meta-record.js'
import { encodeRoomName } from './wal-record.js'

/** One live log entry: its sequence number and size. */
export interface LogEntrySize {
  seq: number
  bytes: number
}

/** The state of one loaded room; the store drops it on evict. */
export interface RoomState {
  /** Every log key of the room starts with it. */
  logKeyPrefix: Buffer
  /** The room name as write-ahead-log records hold it. */
  walRoomName: Uint8Array
  nextSeq: number
  /** The live log entries, oldest first. */
  logEntries: LogEntrySize[]
  /** The sum of their sizes. */
  logBytes: number
  /** null for a document that was never written. */
  times: RoomTimes | null
  /** When the `meta` record was last put in a batch; 0 when it must go with the next one. */
  metaWrittenAtMs: number
  /** Whether the room's index entry is stored or queued (it is whenever its `meta` is). */
  isIndexed: boolean
}

/**
 * The state of a room as loaded: its stored `meta` record, its log and its last sequence number.
 * The log's size is recounted from the log; a record that disagrees (a second stale after a crash)
 * is written again with the room's next batch, or when it is evicted.
 */
export function loadedRoomState(
  room: string,
  meta: Buffer | undefined,
  log: Array<{ seq: number; update: Uint8Array }>,
  lastSeq: number,
): RoomState {
  const stored = readMetaRecord(meta)
  const logBytes = log.reduce((sum, entry) => sum + entry.update.length, 0)
  const isCurrent = stored?.logBytes === logBytes && stored.logEntries === log.length
  return {
    logKeyPrefix: logKeyPrefix(room),
    walRoomName: encodeRoomName(room),
    nextSeq: lastSeq + 1,
    logEntries: log.map(({ seq, update }) => ({ seq, bytes: update.length })),
    logBytes,
    times: stored?.times ?? null,
    metaWrittenAtMs: isCurrent ? Date.now() : 0,
    isIndexed: stored !== null,
  }
}

/** The room's times, created now for a document written for the first time. */
export function touchTimes(state: RoomState, now: number): RoomTimes {
  state.times ??= { createdAtMs: now, updatedAtMs: now, snapshotBytes: 0 }
  return state.times
}

/** Puts the entries of a compaction that failed back into the room's live log, in order. */
export function restoreEntries(state: RoomState, entries: LogEntrySize[]): void {
  if (entries.length === 0) return
  state.logEntries = [...entries, ...state.logEntries].sort((a, b) => a.seq - b.seq)
  for (const entry of entries) state.logBytes += entry.bytes
}

/** The room's `DocumentInfo` (null when it was never written), fresher than its `meta`. */
export const roomInfo = (room: string, state: RoomState): DocumentInfo | null =>
  state.times && documentInfoOf(room, state.times, state.logBytes)

/** The room's index entry when it has none yet (noting that it has one from now on), else []. */
export function indexOnce(room: string, state: RoomState): BatchOperation[] {
  if (state.isIndexed) return []
  state.isIndexed = true
  return [indexPut(room)]
}

function metaPut(room: string, state: RoomState, times: RoomTimes, now: number): BatchOperation {
  state.metaWrittenAtMs = now
  const value = encodeMetaRecord(times, state.logBytes, state.logEntries.length)
  return { type: 'put', key: metaKey(room), value }
}

/**
 * The `meta` records to add to a batch touching `rooms` (each with whether its record must go).
 * A record goes with every compaction (`mustWrite`) and with the first batch that touches a room
 * never written before (its metaWrittenAtMs is 0); in between, with one batch per metaIntervalMs.
 */
export function metaOperations(
  loaded: ReadonlyMap<string, RoomState>,
  rooms: ReadonlyMap<string, boolean>,
): BatchOperation[] {
  const operations: BatchOperation[] = []
  const now = Date.now()
  for (const [room, mustWrite] of rooms) {
    const state = loaded.get(room)
    if (!state?.times || (!mustWrite && now - state.metaWrittenAtMs < metaIntervalMs)) continue
    operations.push(metaPut(room, state, state.times, now))
  }
  return operations
}

/**
 * The writes to queue as a room is evicted (or the store closes): its `meta` record (with its
 * index entry if it has none), unless what is written is current. Without them, a room evicted
 * within a second of its last append, or before its first batch, would keep a stale record or
 * none, since later batches no longer see its state.
 */
export function lastMetaOperations(room: string, state: RoomState): BatchOperation[] {
  const times = state.times
  if (!times || (state.isIndexed && state.metaWrittenAtMs > times.updatedAtMs)) return []
  return [metaPut(room, state, times, Date.now()), ...indexOnce(room, state)]
}
