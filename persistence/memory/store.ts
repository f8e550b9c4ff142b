// An in-memory DocStore for fast tests of the server core: nothing survives the process, but it
// keeps the whole DocStore contract, so code tested on it behaves the same on LevelDB.
// Imports only the interface (../store.ts).
import type { DocStore, EncodedState, StoredDoc } from '../store.js'

/** What the storage holds for one room. */
interface MemoryRoom {
  compacted: EncodedState | null
  log: Array<{ seq: number; update: Uint8Array }>
  /** The last sequence number handed out; it survives compaction and reopening. */
  lastSeq: number
}

/** Everything a memory storage holds: the rooms and the server-wide records. */
interface MemoryContents {
  readonly rooms: Map<string, MemoryRoom>
  readonly records: Map<string, Uint8Array>
}

/**
 * What memory stores write to. It outlives a store, so a test can close a store and open another
 * on the same storage, as a server restart would. One store has it open at a time, as LevelDB's
 * lock allows one process per directory.
 */
export class MemoryStorage {
  readonly #contents: MemoryContents = { rooms: new Map(), records: new Map() }
  #isOpen = false

  /** Claims the storage for a store; throws while another store has it open. */
  open(): MemoryContents {
    if (this.#isOpen) throw new Error('the memory storage is open in another store')
    this.#isOpen = true
    return this.#contents
  }

  /** The store that had the storage open has closed. */
  release(): void {
    this.#isOpen = false
  }
}

const copy = (bytes: Uint8Array): Uint8Array => bytes.slice()
const closedError = (): Error => new Error('the memory store is closed')

/**
 * Opens a DocStore on `storage` (a new, empty one by default). Updates are copied in and out, so
 * callers may reuse their buffers. The caller owns the store and closes it.
 */
export function createMemoryStore(storage: MemoryStorage = new MemoryStorage()): DocStore {
  return new MemoryStore(storage)
}

class MemoryStore implements DocStore {
  readonly #storage: MemoryStorage
  readonly #rooms: Map<string, MemoryRoom>
  readonly #records: Map<string, Uint8Array>
  /** Rooms loaded and not evicted since: only they may be written. */
  readonly #loaded = new Set<string>()
  #isClosed = false

  constructor(storage: MemoryStorage) {
    this.#storage = storage
    const contents = storage.open()
    this.#rooms = contents.rooms
    this.#records = contents.records
  }

  load(room: string): Promise<StoredDoc> {
    if (this.#isClosed) return Promise.reject(closedError())
    this.#loaded.add(room)
    const stored = this.#rooms.get(room)
    return Promise.resolve({
      compacted: stored?.compacted
        ? { update: copy(stored.compacted.update), stateVector: copy(stored.compacted.stateVector) }
        : null,
      log: stored?.log.map((entry) => copy(entry.update)) ?? [],
      lastSeq: stored?.lastSeq ?? 0,
    })
  }

  append(room: string, update: Uint8Array): Promise<number> {
    const stored = this.#writable(room)
    if (stored instanceof Error) return Promise.reject(stored)
    const seq = ++stored.lastSeq
    stored.log.push({ seq, update: copy(update) })
    // Resolved promises settle in the order they were made: appends resolve in call order.
    return Promise.resolve(seq)
  }

  compact(room: string, state: EncodedState, throughSeq: number): Promise<void> {
    const stored = this.#writable(room)
    if (stored instanceof Error) return Promise.reject(stored)
    stored.compacted = { update: copy(state.update), stateVector: copy(state.stateVector) }
    stored.log = stored.log.filter((entry) => entry.seq > throughSeq)
    return Promise.resolve()
  }

  evict(room: string): void {
    this.#loaded.delete(room)
  }

  readRecord(name: string): Promise<Uint8Array | null> {
    if (this.#isClosed) return Promise.reject(closedError())
    const value = this.#records.get(name)
    return Promise.resolve(value ? copy(value) : null)
  }

  writeRecord(name: string, value: Uint8Array): Promise<void> {
    if (this.#isClosed) return Promise.reject(closedError())
    this.#records.set(name, copy(value))
    return Promise.resolve()
  }

  /** Releases the storage for the next store; later calls fail, closing twice is fine. */
  close(): Promise<void> {
    if (!this.#isClosed) {
      this.#isClosed = true
      this.#storage.release()
    }
    return Promise.resolve()
  }

  // Returned, not thrown: a write that cannot be made rejects, as a real store's would.
  #writable(room: string): MemoryRoom | Error {
    if (this.#isClosed) return closedError()
    if (!this.#loaded.has(room)) {
      return new Error(`room ${JSON.stringify(room)} was not loaded from this store`)
    }
    let stored = this.#rooms.get(room)
    if (!stored) {
      stored = { compacted: null, log: [], lastSeq: 0 }
      this.#rooms.set(room, stored)
    }
    return stored
  }
}
