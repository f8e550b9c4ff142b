// The default DocStore: an embedded LevelDB (leveldown) behind a write-ahead log. Key layout in
// persistence/README.md. Imports nothing from server/.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import leveldown, { type BatchOperation, type LevelDown } from 'leveldown'
import type { DocMeta, DocStore, Snapshot, StoredDoc } from './store.js'
import {
  type WalFile,
  WriteAheadLog,
  encodeRoomName,
  recoverWriteAheadLog,
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
   * (its appends are safe in the write-ahead log), a torn record ignored on recovery.
   */
  onProblem?: (message: string, error?: Error) => void
}

// Every key starts with the layout version and the room name; NUL separates the parts because
// room names cannot contain control characters (protocol/room-name.ts).
const layoutVersion = 'v1'
const roomPrefix = (room: string): string => `${layoutVersion}\0${room}\0`
const metaKey = (room: string): Buffer => Buffer.from(`${roomPrefix(room)}meta`)
const snapshotKey = (room: string): Buffer => Buffer.from(`${roomPrefix(room)}snapshot`)
const snapshotVectorKey = (room: string): Buffer =>
  Buffer.from(`${roomPrefix(room)}snapshot-vector`)
const snapshotSeqKey = (room: string): Buffer => Buffer.from(`${roomPrefix(room)}snapshot-seq`)
const logKeyPrefix = (room: string): Buffer => Buffer.from(`${roomPrefix(room)}log\0`)
const seqHexDigits = 16
const hexDigits = Buffer.from('0123456789abcdef', 'latin1')

/** `<log key prefix><seq as 16 lower-case hex digits>`, built without intermediate strings. */
function logKey(prefix: Buffer, seq: number): Buffer {
  const key = Buffer.allocUnsafe(prefix.length + seqHexDigits)
  prefix.copy(key)
  let rest = seq
  for (let i = key.length - 1; i >= prefix.length; i--) {
    key[i] = hexDigits[rest % 16]!
    rest = Math.floor(rest / 16)
  }
  return key
}
const seqValue = (seq: number): Buffer => logKey(Buffer.alloc(0), seq)
const parseSeq = (hex: Buffer): number => Number.parseInt(hex.toString('latin1'), 16)
const logRange = (room: string): { gt: Buffer; lt: Buffer } => ({
  gt: logKeyPrefix(room),
  lt: Buffer.from(`${roomPrefix(room)}log\u0001`),
})

/** The metadata kept per room; the log counts of DocMeta are derived from `logEntries`. */
type RoomTimes = Pick<DocMeta, 'createdAtMs' | 'updatedAtMs' | 'snapshotBytes'>

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

/** One append or compaction waiting for (or in) a LevelDB batch. */
interface PendingWrite {
  operations: BatchOperation[]
  /** An append's write-ahead-log file: the append is durable already and retried until stored. */
  walFile: WalFile | null
  /** A compaction's callback: it resolves once the batch is written. */
  settle: ((error: Error | undefined) => void) | null
}

interface Batch {
  writes: PendingWrite[]
  /** Rooms whose metadata changed, and whether it must be written with this batch. */
  dirtyRooms: Map<string, boolean>
  /** Someone waits for it (a load, close): write it as soon as the batch before it is done. */
  isUrgent: boolean
  /** Resolves once every write in it is in LevelDB, retries included. */
  done: Promise<void>
  markDone: (after?: Promise<void>) => void
}

function newBatch(): Batch {
  let markDone: (after?: Promise<void>) => void = () => undefined
  const done = new Promise<void>((resolve) => {
    markDone = (after) => resolve(after)
  })
  return { writes: [], dirtyRooms: new Map(), isUrgent: false, done, markDone }
}

// Appends are durable once in the write-ahead log, so LevelDB batches can gather updates for a
// while: fewer, larger batches cost far less than one per update. A batch goes when it is this
// old or this full, whichever comes first: under heavy load, writes held longer would outlive
// young-generation collections and swell the heap. A failed batch is retried.
const batchDelayMs = 250
const batchMaxWrites = 64
const retryDelayMs = 1000

// Metadata is written with a room's first update, with every compaction and at most once a second
// in between: after a crash it is at most that stale (its log counts are recounted on load).
const metaIntervalMs = 1000

function touchTimes(state: RoomState, now: number): RoomTimes {
  state.times ??= { createdAtMs: now, updatedAtMs: now, snapshotBytes: 0 }
  return state.times
}

function describe(state: RoomState): DocMeta | null {
  if (!state.times) return null
  return { ...state.times, logBytes: state.logBytes, logEntries: state.logEntries.length }
}

const closedError = (): Error => new Error('the LevelDB store is closed')

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

const isNotFound = (error: Error): boolean => /NotFound/i.test(error.message)

/**
 * Opens (creating if needed) a LevelDB store, then writes into it what the write-ahead log of a
 * previous process still held. Rejects with a message meant for the operator when the directory
 * cannot be created or is locked by another running server.
 */
export async function openLevelDbStore(options: LevelDbStoreOptions): Promise<DocStore> {
  try {
    await mkdir(options.directory, { recursive: true })
  } catch (error) {
    throw new Error(
      `cannot create the data directory ${options.directory}: ${(error as Error).message}`,
      { cause: error },
    )
  }
  const db = leveldown(options.directory)
  try {
    await new Promise<void>((resolve, reject) =>
      db.open({ createIfMissing: true }, (error) => (error ? reject(error) : resolve())),
    )
  } catch (error) {
    const message = (error as Error).message
    if (/LOCK/.test(message) && /unavailable|already held/i.test(message)) {
      throw new Error(
        `the data directory ${options.directory} is locked by another running server; stop it or choose another data directory`,
        { cause: error },
      )
    }
    throw new Error(`cannot open the LevelDB store in ${options.directory}: ${message}`, {
      cause: error,
    })
  }
  const onProblem =
    options.onProblem ?? ((message, error) => process.emitWarning(error ?? message, 'LevelDbStore'))
  // The write-ahead log lives beside LevelDB's files, under LevelDB's lock.
  const walDirectory = join(options.directory, 'write-ahead-log')
  await replayWriteAheadLog(db, walDirectory, onProblem)
  return new LevelDbStore(
    db,
    new WriteAheadLog(walDirectory),
    options.syncWrites ?? false,
    onProblem,
  )
}

// Appends that a crash kept from LevelDB are written now; those a snapshot already covers are not.
async function replayWriteAheadLog(
  db: LevelDown,
  directory: string,
  onProblem: (message: string) => void,
): Promise<void> {
  const recovered = recoverWriteAheadLog(directory)
  if (recovered.ignoredBytes > 0) {
    onProblem(
      `ignored ${recovered.ignoredBytes} bytes at the end of the write-ahead log: a write cut short by a crash, never acknowledged`,
    )
  }
  const snapshotSeqs = new Map<string, number>()
  const operations: BatchOperation[] = []
  for (const { room, seq, update } of recovered.records) {
    let snapshotSeq = snapshotSeqs.get(room)
    if (snapshotSeq === undefined) {
      const stored = await getBuffer(db, snapshotSeqKey(room))
      snapshotSeq = stored ? parseSeq(stored) : 0
      snapshotSeqs.set(room, snapshotSeq)
    }
    if (seq > snapshotSeq) {
      operations.push({
        type: 'put',
        key: logKey(logKeyPrefix(room), seq),
        value: asBuffer(update),
      })
    }
  }
  if (operations.length > 0) {
    await new Promise<void>((resolve, reject) =>
      db.batch(operations, { sync: true }, (error) => (error ? reject(error) : resolve())),
    )
  }
  recovered.discard()
}

function getBuffer(db: LevelDown, key: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) =>
    db.get(key, { asBuffer: true }, (error, value) => {
      if (error) {
        if (isNotFound(error)) resolve(undefined)
        else reject(error)
      } else resolve(value)
    }),
  )
}

class LevelDbStore implements DocStore {
  readonly #db: LevelDown
  readonly #wal: WriteAheadLog
  readonly #syncWrites: boolean
  readonly #onProblem: (message: string, error?: Error) => void
  readonly #rooms = new Map<string, RoomState>()
  /** The batch gathering writes, and the one being written (at most one at a time). */
  #pending: Batch | null = null
  #inFlight: Batch | null = null
  #flushTimer: NodeJS.Timeout | undefined
  /** fdatasync of the write-ahead log under way, and the next one (appends waiting for it). */
  #syncing: Promise<void> | null = null
  #nextSync: Promise<void> | null = null
  #closing: Promise<void> | undefined

  constructor(
    db: LevelDown,
    wal: WriteAheadLog,
    syncWrites: boolean,
    onProblem: (message: string, error?: Error) => void,
  ) {
    this.#db = db
    this.#wal = wal
    this.#syncWrites = syncWrites
    this.#onProblem = onProblem
  }

  async load(room: string): Promise<StoredDoc> {
    this.#assertOpen()
    // Whatever was appended before (a room unloaded and opened again) must be read back.
    await this.#writeNow()
    const [metaBuffer, update, stateVector, snapshotSeqBuffer, log] = await Promise.all([
      getBuffer(this.#db, metaKey(room)),
      getBuffer(this.#db, snapshotKey(room)),
      getBuffer(this.#db, snapshotVectorKey(room)),
      getBuffer(this.#db, snapshotSeqKey(room)),
      this.#readLog(room),
    ])
    const stored = metaBuffer ? (JSON.parse(metaBuffer.toString('utf8')) as DocMeta) : null
    // Sequence numbers keep growing across compactions, so a replayed write-ahead log can tell
    // the appends a snapshot covers.
    const lastSeq = Math.max(
      log.at(-1)?.seq ?? 0,
      snapshotSeqBuffer ? parseSeq(snapshotSeqBuffer) : 0,
    )
    // The log counts are recounted from the log: the stored record may be a second stale.
    const state: RoomState = {
      logKeyPrefix: logKeyPrefix(room),
      walRoomName: encodeRoomName(room),
      nextSeq: lastSeq + 1,
      logEntries: log.map(({ seq, update: entry }) => ({ seq, bytes: entry.length })),
      logBytes: log.reduce((sum, entry) => sum + entry.update.length, 0),
      times: stored && {
        createdAtMs: stored.createdAtMs,
        updatedAtMs: stored.updatedAtMs,
        snapshotBytes: stored.snapshotBytes,
      },
      metaWrittenAtMs: stored ? Date.now() : 0,
    }
    // Loading a room that is already loaded only reads: the state of its writes stays as it is.
    if (!this.#rooms.has(room)) this.#rooms.set(room, state)
    return {
      snapshot: update && stateVector ? { update, stateVector } : null,
      log: log.map((entry) => entry.update),
      lastSeq,
      meta: describe(state),
    }
  }

  append(room: string, update: Uint8Array): Promise<number> {
    if (this.#closing) return Promise.reject(closedError())
    const state = this.#roomState(room)
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
    this.#queue(room, { operations, walFile, settle: null }, false)
    return this.#syncWrites ? this.#syncWal().then(() => seq) : Promise.resolve(seq)
  }

  compact(room: string, snapshot: Snapshot, throughSeq: number): Promise<void> {
    if (this.#closing) return Promise.reject(closedError())
    const state = this.#roomState(room)
    const operations: BatchOperation[] = [
      { type: 'put', key: snapshotKey(room), value: asBuffer(snapshot.update) },
      { type: 'put', key: snapshotVectorKey(room), value: asBuffer(snapshot.stateVector) },
      { type: 'put', key: snapshotSeqKey(room), value: seqValue(throughSeq) },
    ]
    while (state.logEntries.length > 0 && state.logEntries[0]!.seq <= throughSeq) {
      const entry = state.logEntries.shift()!
      state.logBytes -= entry.bytes
      operations.push({ type: 'del', key: logKey(state.logKeyPrefix, entry.seq) })
    }
    touchTimes(state, Date.now()).snapshotBytes = snapshot.update.length
    return new Promise((resolve, reject) => {
      const settle = (error: Error | undefined): void => (error ? reject(error) : resolve())
      this.#queue(room, { operations, walFile: null, settle }, true)
    })
  }

  release(room: string): void {
    this.#rooms.delete(room)
  }

  async meta(room: string): Promise<DocMeta | null> {
    const state = this.#rooms.get(room)
    if (state) return describe(state)
    this.#assertOpen()
    const buffer = await getBuffer(this.#db, metaKey(room))
    return buffer ? (JSON.parse(buffer.toString('utf8')) as DocMeta) : null
  }

  /**
   * Writes everything appended into LevelDB, closes it and deletes the write-ahead log. Later
   * calls fail; closing twice is fine.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#writeNow()
      this.#wal.close()
      await new Promise<void>((resolve, reject) =>
        this.#db.close((error) => (error ? reject(error) : resolve())),
      )
    })()
    return this.#closing
  }

  // leveldown crashes the process (SIGSEGV) when used after close, so nothing may reach it then.
  #assertOpen(): void {
    if (this.#closing) throw closedError()
  }

  #roomState(room: string): RoomState {
    const state = this.#rooms.get(room)
    if (!state) throw new Error(`room ${JSON.stringify(room)} was not loaded from this store`)
    return state
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

  #queue(room: string, write: PendingWrite, mustWriteMeta: boolean): void {
    const batch = (this.#pending ??= newBatch())
    batch.writes.push(write)
    if (mustWriteMeta || !batch.dirtyRooms.has(room)) batch.dirtyRooms.set(room, mustWriteMeta)
    if (this.#inFlight) return
    if (batch.writes.length >= batchMaxWrites) this.#flush()
    else this.#flushTimer ??= setTimeout(() => this.#flush(), batchDelayMs)
  }

  /** Resolves once everything queued so far is in LevelDB. */
  #writeNow(): Promise<void> {
    const batch = this.#pending
    if (!batch) return this.#inFlight?.done ?? Promise.resolve()
    batch.isUrgent = true
    if (!this.#inFlight) this.#flush()
    return batch.done
  }

  #flush(): void {
    clearTimeout(this.#flushTimer)
    this.#flushTimer = undefined
    const batch = this.#pending
    if (!batch) return
    this.#pending = null
    this.#inFlight = batch
    const operations = batch.writes.flatMap((write) => write.operations)
    const now = Date.now()
    for (const [room, mustWriteMeta] of batch.dirtyRooms) {
      const state = this.#rooms.get(room)
      if (!state || (!mustWriteMeta && now - state.metaWrittenAtMs < metaIntervalMs)) continue
      const meta = describe(state)
      if (!meta) continue
      state.metaWrittenAtMs = now
      operations.push({ type: 'put', key: metaKey(room), value: Buffer.from(JSON.stringify(meta)) })
    }
    this.#db.batch(operations, { sync: this.#syncWrites }, (error) => {
      this.#inFlight = null
      if (error) this.#batchFailed(batch, error)
      else this.#batchWritten(batch)
      const next = this.#pending
      if (next && !error && (next.isUrgent || next.writes.length >= batchMaxWrites)) this.#flush()
      else if (next && !this.#flushTimer) {
        this.#flushTimer = setTimeout(() => this.#flush(), error ? retryDelayMs : batchDelayMs)
      }
    })
  }

  #batchWritten(batch: Batch): void {
    for (const write of batch.writes) {
      if (write.walFile) this.#wal.stored(write.walFile, 1)
      write.settle?.(undefined)
    }
    batch.markDone()
  }

  // Appends were acknowledged already (they are in the write-ahead log), so they go into the next
  // batch; compactions fail, and their rooms retry them.
  #batchFailed(batch: Batch, error: Error): void {
    this.#onProblem(
      'a LevelDB write failed; appends are kept in the write-ahead log and retried',
      error,
    )
    const retry = (this.#pending ??= newBatch())
    for (const write of batch.writes) {
      if (write.walFile) retry.writes.unshift(write)
      else write.settle?.(error)
    }
    for (const [room, mustWriteMeta] of batch.dirtyRooms) {
      if (!retry.dirtyRooms.get(room)) retry.dirtyRooms.set(room, mustWriteMeta)
    }
    retry.isUrgent ||= batch.isUrgent
    batch.markDone(retry.done)
  }

  async #readLog(room: string): Promise<Array<{ seq: number; update: Uint8Array }>> {
    const iterator = this.#db.iterator({
      ...logRange(room),
      keyAsBuffer: true,
      valueAsBuffer: true,
    })
    const entries: Array<{ seq: number; update: Uint8Array }> = []
    const next = (): Promise<[Buffer, Buffer] | undefined> =>
      new Promise((resolve, reject) =>
        iterator.next((error, key, value) => {
          if (error) reject(error)
          else resolve(key && value ? [key, value] : undefined)
        }),
      )
    try {
      for (let entry = await next(); entry; entry = await next()) {
        const [key, value] = entry
        entries.push({ seq: parseSeq(key.subarray(key.length - seqHexDigits)), update: value })
      }
    } finally {
      await new Promise<void>((resolve, reject) =>
        iterator.end((error) => (error ? reject(error) : resolve())),
      )
    }
    return entries
  }
}
