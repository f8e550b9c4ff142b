// The default DocStore: an embedded LevelDB (leveldown). Key layout in persistence/README.md.
// Imports nothing from server/.
import { mkdir } from 'node:fs/promises'
import leveldown, { type BatchOperation, type LevelDown } from 'leveldown'
import type { DocMeta, DocStore, Snapshot, StoredDoc } from './store.js'

/** Options of the LevelDB store. */
export interface LevelDbStoreOptions {
  /** Directory of the database; created when missing. One process may open it at a time. */
  directory: string
  /**
   * fsync every batch. Off, a write survives a crash of the server process (it is in the OS);
   * on, it also survives a power cut or kernel crash, at the cost of an fsync per batch.
   */
  syncWrites?: boolean
}

// Every key starts with the layout version and the room name; NUL separates the parts because
// room names cannot contain control characters (protocol/room-name.ts).
const layoutVersion = 'v1'
const roomPrefix = (room: string): string => `${layoutVersion}\0${room}\0`
const metaKey = (room: string): Buffer => Buffer.from(`${roomPrefix(room)}meta`)
const snapshotKey = (room: string): Buffer => Buffer.from(`${roomPrefix(room)}snapshot`)
const snapshotVectorKey = (room: string): Buffer =>
  Buffer.from(`${roomPrefix(room)}snapshot-vector`)
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
const logRange = (room: string): { gt: Buffer; lt: Buffer } => ({
  gt: logKeyPrefix(room),
  lt: Buffer.from(`${roomPrefix(room)}log\u0001`),
})

/** The metadata kept per room; the log counts of DocMeta are derived from `logEntries`. */
type RoomTimes = Pick<DocMeta, 'createdAtMs' | 'updatedAtMs' | 'snapshotBytes'>

interface RoomState {
  /** Every log key of the room starts with it. */
  logKeyPrefix: Buffer
  nextSeq: number
  /** Sequence numbers and sizes of the live log entries, oldest first. */
  logEntries: Array<{ seq: number; bytes: number }>
  /** The sum of their sizes. */
  logBytes: number
  /** null for a document that was never written. */
  times: RoomTimes | null
  metaWrittenAtMs: number
}

interface PendingBatch {
  operations: BatchOperation[]
  /** Rooms whose metadata changed, and whether it must be written with this batch. */
  dirtyRooms: Map<string, boolean>
  settle: Array<(error: Error | undefined) => void>
}

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
 * Opens (creating if needed) a LevelDB store. Rejects with a message meant for the operator when
 * the directory cannot be created or is locked by another running server.
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
  return new LevelDbStore(db, options.syncWrites ?? false)
}

class LevelDbStore implements DocStore {
  readonly #db: LevelDown
  readonly #syncWrites: boolean
  readonly #rooms = new Map<string, RoomState>()
  #pending: PendingBatch | null = null
  #isWriting = false
  #closing: Promise<void> | undefined
  #drained: Array<() => void> = []

  constructor(db: LevelDown, syncWrites: boolean) {
    this.#db = db
    this.#syncWrites = syncWrites
  }

  async load(room: string): Promise<StoredDoc> {
    this.#assertOpen()
    const [metaBuffer, update, stateVector, log] = await Promise.all([
      this.#get(metaKey(room)),
      this.#get(snapshotKey(room)),
      this.#get(snapshotVectorKey(room)),
      this.#readLog(room),
    ])
    const stored = metaBuffer ? (JSON.parse(metaBuffer.toString('utf8')) as DocMeta) : null
    const lastSeq = log.at(-1)?.seq ?? 0
    // The log counts are recounted from the log: the stored record may be a second stale.
    const state: RoomState = {
      logKeyPrefix: logKeyPrefix(room),
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
    const seq = state.nextSeq++
    const now = Date.now()
    touchTimes(state, now).updatedAtMs = now
    state.logEntries.push({ seq, bytes: update.length })
    state.logBytes += update.length
    const operation: BatchOperation = {
      type: 'put',
      key: logKey(state.logKeyPrefix, seq),
      value: asBuffer(update),
    }
    return this.#write(room, [operation], false).then(() => seq)
  }

  compact(room: string, snapshot: Snapshot, throughSeq: number): Promise<void> {
    if (this.#closing) return Promise.reject(closedError())
    const state = this.#roomState(room)
    const operations: BatchOperation[] = [
      { type: 'put', key: snapshotKey(room), value: asBuffer(snapshot.update) },
      { type: 'put', key: snapshotVectorKey(room), value: asBuffer(snapshot.stateVector) },
    ]
    while (state.logEntries.length > 0 && state.logEntries[0]!.seq <= throughSeq) {
      const entry = state.logEntries.shift()!
      state.logBytes -= entry.bytes
      operations.push({ type: 'del', key: logKey(state.logKeyPrefix, entry.seq) })
    }
    touchTimes(state, Date.now()).snapshotBytes = snapshot.update.length
    return this.#write(room, operations, true)
  }

  release(room: string): void {
    this.#rooms.delete(room)
  }

  async meta(room: string): Promise<DocMeta | null> {
    const state = this.#rooms.get(room)
    if (state) return describe(state)
    this.#assertOpen()
    const buffer = await this.#get(metaKey(room))
    return buffer ? (JSON.parse(buffer.toString('utf8')) as DocMeta) : null
  }

  /** Waits for the writes under way, then closes. Later calls fail; closing twice is fine. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#pending || this.#isWriting) {
        await new Promise<void>((resolve) => this.#drained.push(resolve))
      }
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

  // Writes are queued store-wide and sent as one LevelDB batch, at most one batch in flight:
  // everything that arrives while a batch is being written goes into the next one, and the first
  // batch waits for the end of the event-loop turn, so updates read from many sockets at once
  // share it. This keeps write-before-relay cheap and makes batches complete (and appends
  // resolve) in call order.
  #write(room: string, operations: BatchOperation[], mustWriteMeta: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.#pending) {
        this.#pending = { operations: [], dirtyRooms: new Map(), settle: [] }
        if (!this.#isWriting) setImmediate(() => this.#flush())
      }
      this.#pending.operations.push(...operations)
      if (mustWriteMeta || !this.#pending.dirtyRooms.has(room)) {
        this.#pending.dirtyRooms.set(room, mustWriteMeta)
      }
      this.#pending.settle.push((error) => (error ? reject(error) : resolve()))
    })
  }

  #flush(): void {
    const batch = this.#pending
    if (!batch) {
      for (const resolve of this.#drained.splice(0)) resolve()
      return
    }
    this.#pending = null
    this.#isWriting = true
    const now = Date.now()
    for (const [room, mustWriteMeta] of batch.dirtyRooms) {
      const state = this.#rooms.get(room)
      if (!state || (!mustWriteMeta && now - state.metaWrittenAtMs < metaIntervalMs)) continue
      const meta = describe(state)
      if (!meta) continue
      state.metaWrittenAtMs = now
      const value = Buffer.from(JSON.stringify(meta))
      batch.operations.push({ type: 'put', key: metaKey(room), value })
    }
    this.#db.batch(batch.operations, { sync: this.#syncWrites }, (error) => {
      this.#isWriting = false
      for (const settle of batch.settle) settle(error)
      this.#flush()
    })
  }

  #get(key: Buffer): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) =>
      this.#db.get(key, { asBuffer: true }, (error, value) => {
        if (error) {
          if (isNotFound(error)) resolve(undefined)
          else reject(error)
        } else resolve(value)
      }),
    )
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
        const seqHex = key.subarray(key.length - 16).toString('latin1')
        entries.push({ seq: Number.parseInt(seqHex, 16), update: value })
      }
    } finally {
      await new Promise<void>((resolve, reject) =>
        iterator.end((error) => (error ? reject(error) : resolve())),
      )
    }
    return entries
  }
}
