// The default DocStore: an embedded LevelDB behind a write-ahead log (persistence/README.md).
// Composes the modules beside it and keeps the per-room state, fsync coalescing and metadata.
// Imports nothing from server/.
import { join } from 'node:path'
import type { DocStore, EncodedState, StoredDoc } from '../store.js'
import { Batcher, type BatchWrite } from './batcher.js'
import { type BatchOperation, type Database, openDatabase } from './database.js'
import {
  compactedKeys,
  logKey,
  logKeyPrefix,
  logRange,
  metaKey,
  parseSeq,
  recordKey,
  seqOfLogKey,
  seqValue,
} from './keys.js'
import { type RoomTimes, encodeMetaRecord, metaIntervalMs, readRoomTimes } from './meta-record.js'
import { replayWriteAheadLog } from './replay.js'
import type { ProblemLevel } from './wal-damage-report.js'
import { encodeRoomName } from './wal-record.js'
import {
  type WalFile,
  type WalFileSystem,
  WriteAheadLog,
  nodeWalFileSystem,
} from './write-ahead-log.js'

/** Options of the LevelDB store. */
export interface LevelDbStoreOptions {
  /** Directory of the database; created when missing. One process may open it at a time. */
  directory: string
  /**
   * fsync every append. Off, a write survives a crash of the server process (it is in the OS);
   * on, it also survives a power cut or kernel crash, at the cost of an fsync per append.
   */
  syncWrites?: boolean
  /**
   * Told about trouble that does not fail a call: a LevelDB batch that failed and will be retried
   * (its appends are safe in the write-ahead log), a write-ahead-log file found cut or damaged on
   * recovery and kept aside. `level` is `error` for damage (records the store could not replay)
   * and `warn`, or absent, for the rest.
   */
  onProblem?: (message: string, error?: Error, level?: ProblemLevel) => void
  /** Opens the database (default `openDatabase`); tests wrap the real one to inject failures. */
  openDatabase?: (directory: string) => Promise<Database>
  /** The write-ahead log's file calls (default node:fs); tests replace one to inject failures. */
  walFileSystem?: WalFileSystem
}

interface RoomState {
  /** Every log key of the room starts with it. */
  logKeyPrefix: Buffer
  /** The room name as write-ahead-log records hold it. */
  walRoomName: Uint8Array
  nextSeq: number
  /** Sequence numbers and sizes of the live log entries, oldest first. */
  logEntries: Array<{ seq: number; bytes: number }>
  /** The sum of their sizes. */
  logBytes: number
  /** null for a document that was never written. */
  times: RoomTimes | null
  metaWrittenAtMs: number
}

/** An append or compaction in the batcher; an append's file is told once it is in LevelDB. */
interface StoreWrite extends BatchWrite {
  walFile: WalFile | null
}

function touchTimes(state: RoomState, now: number): RoomTimes {
  state.times ??= { createdAtMs: now, updatedAtMs: now, snapshotBytes: 0 }
  return state.times
}

/** Puts the entries of a compaction that failed back into the room's live log, in order. */
function restoreEntries(state: RoomState, entries: Array<{ seq: number; bytes: number }>): void {
  if (entries.length === 0) return
  state.logEntries = [...entries, ...state.logEntries].sort((a, b) => a.seq - b.seq)
  for (const entry of entries) state.logBytes += entry.bytes
}

const notLoadedError = (room: string): Error =>
  new Error(`room ${JSON.stringify(room)} was not loaded from this store`)

const closedError = (): Error => new Error('the LevelDB store is closed')

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * Opens (creating if needed) a LevelDB store, then writes into it what the write-ahead log of a
 * previous process still held. Rejects with a message meant for the operator, naming the
 * directory, when it cannot be created or is locked by another running server. The caller owns
 * the store and closes it.
 */
export async function openLevelDbStore(options: LevelDbStoreOptions): Promise<DocStore> {
  const db = await (options.openDatabase ?? openDatabase)(options.directory)
  const onProblem =
    options.onProblem ??
    ((message, error, level) =>
      process.emitWarning(
        error ?? message,
        level === 'error' ? 'LevelDbStoreError' : 'LevelDbStore',
      ))
  const fs = options.walFileSystem ?? nodeWalFileSystem
  // The write-ahead log, and the damaged files replay keeps, live beside LevelDB's files, under
  // LevelDB's lock.
  const walDirectories = {
    log: join(options.directory, 'write-ahead-log'),
    damaged: join(options.directory, 'write-ahead-log-damaged'),
  }
  let wal: WriteAheadLog
  try {
    await replayWriteAheadLog(db, walDirectories, fs, (message, level) =>
      onProblem(message, undefined, level),
    )
    wal = new WriteAheadLog(walDirectories.log, fs)
  } catch (error) {
    // Release LevelDB's lock, so that the directory can be opened again once the cause is fixed.
    await db.close()
    throw error
  }
  return new LevelDbStore(db, wal, options.syncWrites ?? false, onProblem)
}

class LevelDbStore implements DocStore {
  readonly #db: Database
  readonly #wal: WriteAheadLog
  readonly #syncWrites: boolean
  readonly #batcher: Batcher<StoreWrite>
  readonly #rooms = new Map<string, RoomState>()
  /** fdatasync of the write-ahead log under way, and the next one (appends waiting for it). */
  #syncing: Promise<void> | null = null
  #nextSync: Promise<void> | null = null
  #closing: Promise<void> | undefined

  constructor(
    db: Database,
    wal: WriteAheadLog,
    syncWrites: boolean,
    onProblem: (message: string, error?: Error) => void,
  ) {
    this.#db = db
    this.#wal = wal
    this.#syncWrites = syncWrites
    this.#batcher = new Batcher<StoreWrite>({
      database: db,
      syncWrites,
      onProblem,
      metaOperations: (rooms) => this.#metaOperations(rooms),
      written: (write) => {
        if (write.walFile) wal.stored(write.walFile, 1)
      },
    })
  }

  async load(room: string): Promise<StoredDoc> {
    this.#assertOpen()
    // Whatever was appended before (a room evicted and loaded again) must be read back; while
    // LevelDB writes fail, that would wait for ever, so the load fails instead.
    if (this.#batcher.holds(room)) {
      await this.#batcher.attemptNow().catch((error: unknown) => {
        throw new Error('LevelDB cannot write the updates of this document it still holds', {
          cause: error,
        })
      })
    }
    const keys = compactedKeys(room)
    const [meta, update, stateVector, compactedSeq, log] = await Promise.all([
      this.#db.get(metaKey(room)),
      this.#db.get(keys.update),
      this.#db.get(keys.stateVector),
      this.#db.get(keys.seq),
      this.#db.readRange(logRange(room)),
    ])
    const entries = log.map(({ key, value }) => ({ seq: seqOfLogKey(key), update: value }))
    // Sequence numbers keep growing across compactions, so a replayed write-ahead log can tell
    // the appends a compaction covers.
    const lastSeq = Math.max(entries.at(-1)?.seq ?? 0, compactedSeq ? parseSeq(compactedSeq) : 0)
    // Loading a room that is already loaded only reads: the state of its writes stays as it is.
    if (!this.#rooms.has(room)) {
      const times = readRoomTimes(meta)
      // The log counts are recounted from the log: the stored record may be a second stale.
      this.#rooms.set(room, {
        logKeyPrefix: logKeyPrefix(room),
        walRoomName: encodeRoomName(room),
        nextSeq: lastSeq + 1,
        logEntries: entries.map(({ seq, update: entry }) => ({ seq, bytes: entry.length })),
        logBytes: entries.reduce((sum, entry) => sum + entry.update.length, 0),
        times,
        metaWrittenAtMs: times ? Date.now() : 0,
      })
    }
    return {
      compacted: update && stateVector ? { update, stateVector } : null,
      log: entries.map((entry) => entry.update),
      lastSeq,
    }
  }

  append(room: string, update: Uint8Array): Promise<number> {
    if (this.#closing) return Promise.reject(closedError())
    const state = this.#rooms.get(room)
    if (!state) return Promise.reject(notLoadedError(room))
    const seq = state.nextSeq
    let walFile: WalFile
    try {
      walFile = this.#wal.append(state.walRoomName, seq, update)
    } catch (error) {
      return Promise.reject(new Error('could not write to the write-ahead log', { cause: error }))
    }
    state.nextSeq++
    const now = Date.now()
    touchTimes(state, now).updatedAtMs = now
    state.logEntries.push({ seq, bytes: update.length })
    state.logBytes += update.length
    const operations: BatchOperation[] = [
      { type: 'put', key: logKey(state.logKeyPrefix, seq), value: asBuffer(update) },
    ]
    this.#batcher.queue(room, { operations, walFile, settle: null }, false)
    return this.#syncWrites ? this.#syncWal().then(() => seq) : Promise.resolve(seq)
  }

  compact(room: string, state: EncodedState, throughSeq: number): Promise<void> {
    if (this.#closing) return Promise.reject(closedError())
    const roomState = this.#rooms.get(room)
    if (!roomState) return Promise.reject(notLoadedError(room))
    const keys = compactedKeys(room)
    const operations: BatchOperation[] = [
      { type: 'put', key: keys.update, value: asBuffer(state.update) },
      { type: 'put', key: keys.stateVector, value: asBuffer(state.stateVector) },
      { type: 'put', key: keys.seq, value: seqValue(throughSeq) },
    ]
    const covered: Array<{ seq: number; bytes: number }> = []
    while (roomState.logEntries.length > 0 && roomState.logEntries[0]!.seq <= throughSeq) {
      const entry = roomState.logEntries.shift()!
      roomState.logBytes -= entry.bytes
      covered.push(entry)
      operations.push({ type: 'del', key: logKey(roomState.logKeyPrefix, entry.seq) })
    }
    touchTimes(roomState, Date.now()).snapshotBytes = state.update.length
    return new Promise((resolve, reject) => {
      const settle = (error: Error | undefined): void => {
        if (!error) return resolve()
        // The entries are still in LevelDB: the compaction that retries this one must delete them.
        restoreEntries(roomState, covered)
        reject(error)
      }
      this.#batcher.queue(room, { operations, walFile: null, settle }, true)
    })
  }

  evict(room: string): void {
    this.#rooms.delete(room)
  }

  async readRecord(name: string): Promise<Uint8Array | null> {
    this.#assertOpen()
    await this.#batcher.writeNow()
    return (await this.#db.get(recordKey(name))) ?? null
  }

  writeRecord(name: string, value: Uint8Array): Promise<void> {
    if (this.#closing) return Promise.reject(closedError())
    const operations: BatchOperation[] = [
      { type: 'put', key: recordKey(name), value: Buffer.from(value) },
    ]
    return new Promise((resolve, reject) => {
      const settle = (error: Error | undefined): void => (error ? reject(error) : resolve())
      // '' is no room: the batch writes no room metadata for it.
      this.#batcher.queue('', { operations, walFile: null, settle }, false)
      void this.#batcher.writeNow()
    })
  }

  /**
   * Writes everything appended into LevelDB, closes it and deletes the write-ahead log. Later
   * calls fail; closing twice is fine.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#batcher.writeNow()
      this.#wal.close()
      await this.#db.close()
    })()
    return this.#closing
  }

  // leveldown crashes the process (SIGSEGV) when used after close, so nothing may reach it then.
  #assertOpen(): void {
    if (this.#closing) throw closedError()
  }

  // One fdatasync covers every append written before it started; appends written while it runs
  // wait for the next one.
  #syncWal(): Promise<void> {
    this.#nextSync ??= (async () => {
      await this.#syncing?.catch(() => undefined)
      this.#nextSync = null
      this.#syncing = this.#wal.sync()
      return this.#syncing
    })()
    return this.#nextSync
  }

  // A room's metadata record goes with every compaction (`mustWrite`) and with the first batch
  // that touches a room never written before (its metaWrittenAtMs is 0); in between, with at
  // most one batch per metaIntervalMs.
  #metaOperations(rooms: ReadonlyMap<string, boolean>): BatchOperation[] {
    const operations: BatchOperation[] = []
    const now = Date.now()
    for (const [room, mustWrite] of rooms) {
      const state = this.#rooms.get(room)
      if (!state?.times || (!mustWrite && now - state.metaWrittenAtMs < metaIntervalMs)) continue
      state.metaWrittenAtMs = now
      operations.push({
        type: 'put',
        key: metaKey(room),
        value: encodeMetaRecord(state.times, state.logBytes, state.logEntries.length),
      })
    }
    return operations
  }
}
