// The default DocStore: an embedded LevelDB behind a write-ahead log (persistence/README.md).
// Composes the modules beside it and keeps the loaded rooms, fsync coalescing and metadata.
// Imports nothing from server/.
import { join } from 'node:path'
import { checkDocumentQuery } from '../listing.js'
import type {
  DocStore,
  DocumentImport,
  DocumentInfo,
  DocumentPage,
  DocumentQuery,
  EncodedState,
  StoredDoc,
  VersionInfo,
} from '../store.js'
import { type BatchOperation, type Database, openDatabase } from './database.js'
import { buildDocumentIndex, readDocumentPage } from './document-index.js'
import { deleteDocumentOperations, importDocumentOperations } from './document-operations.js'
import {
  compactedKeys,
  logKey,
  logRange,
  metaKey,
  parseSeq,
  recordKey,
  seqOfLogKey,
  seqValue,
  versionKey,
} from './keys.js'
import { readDocumentInfo } from './meta-record.js'
import { replayWriteAheadLog } from './replay.js'
import {
  type LogEntrySize,
  type RoomState,
  indexOnce,
  lastMetaOperations,
  loadedRoomState,
  metaOperations,
  restoreEntries,
  roomInfo,
  touchTimes,
} from './room-state.js'
import { readVersionList, versionDelete, versionPut } from './versions.js'
import type { ProblemLevel } from './wal-damage-report.js'
import {
  type WalFile,
  type WalFileSystem,
  WriteAheadLog,
  nodeWalFileSystem,
} from './write-ahead-log.js'
import { WriteQueue } from './write-queue.js'

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

const notLoadedError = (room: string): Error =>
  new Error(`room ${JSON.stringify(room)} was not loaded from this store`)

const loadedError = (room: string): Error =>
  new Error(`room ${JSON.stringify(room)} is loaded; it must be evicted first`)

const closedError = (): Error => new Error('the LevelDB store is closed')

const stillHeldError = 'LevelDB cannot write the updates of this document it still holds'

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

export { StoreInUseError } from './database.js'

/**
 * Opens (creating if needed) a LevelDB store, then writes into it what the write-ahead log of a
 * previous process still held. Rejects with a message meant for the operator, naming the
 * directory, when it cannot be created, or with a StoreInUseError when another running server
 * holds it. The caller owns
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
    // After the replay, which may write the first `meta` of a room.
    await buildDocumentIndex(db)
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
  readonly #writes: WriteQueue
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
    this.#writes = new WriteQueue({
      database: db,
      syncWrites,
      onProblem,
      metaOperations: (rooms) => metaOperations(this.#rooms, rooms),
      written: (write) => {
        if (write.walFile) wal.stored(write.walFile, 1)
      },
      assertOpen: () => this.#assertOpen(),
    })
  }

  async load(room: string): Promise<StoredDoc> {
    this.#assertOpen()
    // In turn: a delete or import called before must have queued its batch, and one called
    // after must see the room loaded.
    return this.#writes.inTurn(room, () => this.#read(room, true))
  }

  read(room: string): Promise<StoredDoc> {
    if (this.#closing) return Promise.reject(closedError())
    return this.#writes.inTurn(room, () => this.#read(room, false))
  }

  async #read(room: string, isLoading: boolean): Promise<StoredDoc> {
    // Whatever was appended before (a room evicted and loaded again) must be read back; while
    // LevelDB writes fail, that would wait for ever, so the load fails instead.
    await this.#writes.settle(room, stillHeldError)
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
    if (isLoading && !this.#rooms.has(room)) {
      this.#rooms.set(room, loadedRoomState(room, meta, entries, lastSeq))
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
    this.#queueIndexOnce(room, state)
    const operations: BatchOperation[] = [
      { type: 'put', key: logKey(state.logKeyPrefix, seq), value: asBuffer(update) },
    ]
    this.#writes.queue(room, { operations, walFile, settle: null }, false)
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
    const covered: LogEntrySize[] = []
    while (roomState.logEntries.length > 0 && roomState.logEntries[0]!.seq <= throughSeq) {
      const entry = roomState.logEntries.shift()!
      roomState.logBytes -= entry.bytes
      covered.push(entry)
      operations.push({ type: 'del', key: logKey(roomState.logKeyPrefix, entry.seq) })
    }
    const times = touchTimes(roomState, Date.now())
    const previousSnapshotBytes = times.snapshotBytes
    times.snapshotBytes = state.update.length
    this.#queueIndexOnce(room, roomState)
    return new Promise((resolve, reject) => {
      const settle = (error: Error | undefined): void => {
        if (!error) return resolve()
        // The entries are still in LevelDB: the compaction that retries this one must delete them.
        restoreEntries(roomState, covered)
        // So is the state before, unless a compaction queued since replaces it.
        if (times.snapshotBytes === state.update.length) times.snapshotBytes = previousSnapshotBytes
        reject(error)
      }
      this.#writes.queue(room, { operations, walFile: null, settle }, true)
    })
  }

  evict(room: string): void {
    const state = this.#rooms.get(room)
    if (!state) return
    this.#rooms.delete(room)
    // Closing writes the records of the rooms still loaded itself.
    if (!this.#closing) this.#queueLastMeta(room, state)
  }

  async readRecord(name: string): Promise<Uint8Array | null> {
    this.#assertOpen()
    await this.#writes.writeNow()
    return (await this.#db.get(recordKey(name))) ?? null
  }

  writeRecord(name: string, value: Uint8Array): Promise<void> {
    if (this.#closing) return Promise.reject(closedError())
    const operations: BatchOperation[] = [
      { type: 'put', key: recordKey(name), value: Buffer.from(value) },
    ]
    // '' is no room: the batch writes no room metadata for it.
    return this.#writes.write('', operations).written
  }

  async listDocuments(query: DocumentQuery): Promise<DocumentPage> {
    this.#assertOpen()
    checkDocumentQuery(query)
    // Rooms first written moments ago have their index entry queued.
    await this.#writes.settle(
      null,
      'LevelDB cannot write what it holds, so it cannot list documents',
    )
    return readDocumentPage(this.#db, query, (room) => this.#loadedInfo(room))
  }

  async documentInfo(room: string): Promise<DocumentInfo | null> {
    this.#assertOpen()
    const loaded = this.#loadedInfo(room)
    if (loaded !== undefined) return loaded
    await this.#writes.settle(room, stillHeldError)
    return readDocumentInfo(room, await this.#db.get(metaKey(room)))
  }

  deleteDocument(room: string): Promise<void> {
    return this.#rewrite(room, () => deleteDocumentOperations(this.#db, room))
  }

  importDocument(room: string, content: DocumentImport): Promise<void> {
    return this.#rewrite(room, () => importDocumentOperations(this.#db, room, content))
  }

  putVersion(room: string, info: VersionInfo, content: Uint8Array): Promise<void> {
    if (this.#closing) return Promise.reject(closedError())
    return this.#writes.writeInTurn(room, versionPut(room, info, content))
  }

  async listVersions(room: string): Promise<VersionInfo[]> {
    this.#assertOpen()
    return readVersionList(this.#db, room)
  }

  async readVersion(room: string, id: string): Promise<Uint8Array | null> {
    this.#assertOpen()
    return (await this.#db.get(versionKey(room, id))) ?? null
  }

  deleteVersion(room: string, id: string): Promise<void> {
    if (this.#closing) return Promise.reject(closedError())
    return this.#writes.writeInTurn(room, versionDelete(room, id))
  }

  /**
   * Writes everything appended into LevelDB, closes it and deletes the write-ahead log. Later
   * calls fail; closing twice is fine.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const [room, state] of this.#rooms) this.#queueLastMeta(room, state)
      await this.#writes.writeNow()
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

  /**
   * Deletes or replaces a room that is not loaded, in one batch. Its operations are built from
   * what LevelDB holds of the room once its queued writes (appends before an eviction, versions)
   * are in: the batch then covers all of them.
   */
  async #rewrite(room: string, operations: () => Promise<BatchOperation[]>): Promise<void> {
    this.#assertOpen()
    const { written } = await this.#writes.inTurn(room, async () => {
      if (this.#rooms.has(room)) throw loadedError(room)
      await this.#writes.settle(room, stillHeldError)
      return this.#writes.write(room, await operations())
    })
    return written
  }

  /** A loaded room's information (null when it was never written); undefined when not loaded. */
  #loadedInfo(room: string): DocumentInfo | null | undefined {
    const state = this.#rooms.get(room)
    return state && roomInfo(room, state)
  }

  // A room's index entry goes with its first write, as a write of its own that is retried until
  // stored, as appends are (also when it comes with a compaction, which is not): its `meta` record
  // goes with the same batch or a later one, so it is never stored without the entry.
  #queueIndexOnce(room: string, state: RoomState): void {
    if (state.isIndexed) return
    const operations = indexOnce(room, state)
    this.#writes.queue(room, { operations, walFile: null, settle: null }, false)
  }

  #queueLastMeta(room: string, state: RoomState): void {
    const operations = lastMetaOperations(room, state)
    // Retried as appends are: nothing waits for it.
    if (operations.length > 0)
      this.#writes.queue(room, { operations, walFile: null, settle: null }, false)
  }
}
