// An in-memory DocStore for fast tests of the server core: nothing survives the process, but it
// keeps the whole DocStore contract, so code tested on it behaves the same on LevelDB.
// Imports only the interface (../store.ts) and the listing rules both stores share.
import { checkDocumentQuery, newestFirst } from '../listing.js'
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

/** What the storage holds for one room. */
interface MemoryRoom {
  compacted: EncodedState | null
  log: Array<{ seq: number; update: Uint8Array }>
  /** The last sequence number handed out; it survives compaction, deletion and reopening. */
  lastSeq: number
  /** When the document was first and last written (Unix ms); null when never written or deleted. */
  times: { createdAtMs: number; updatedAtMs: number } | null
  versions: Map<string, { info: VersionInfo; content: Uint8Array }>
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
const copyState = (state: EncodedState): EncodedState => ({
  update: copy(state.update),
  stateVector: copy(state.stateVector),
})
const closedError = (): Error => new Error('the memory store is closed')
const compareNames = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

function infoOf(name: string, stored: MemoryRoom): DocumentInfo | null {
  if (!stored.times) return null
  const logBytes = stored.log.reduce((sum, entry) => sum + entry.update.length, 0)
  return { name, bytes: (stored.compacted?.update.length ?? 0) + logBytes, ...stored.times }
}

/**
 * Opens a DocStore on `storage` (a new, empty one by default). Updates, versions and their
 * records are copied in and out, so callers may reuse their objects. The caller owns the store
 * and closes it.
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
    const stored = this.read(room)
    if (!this.#isClosed) this.#loaded.add(room)
    return stored
  }

  read(room: string): Promise<StoredDoc> {
    if (this.#isClosed) return Promise.reject(closedError())
    const stored = this.#rooms.get(room)
    return Promise.resolve({
      compacted: stored?.compacted ? copyState(stored.compacted) : null,
      log: stored?.log.map((entry) => copy(entry.update)) ?? [],
      lastSeq: stored?.lastSeq ?? 0,
    })
  }

  append(room: string, update: Uint8Array): Promise<number> {
    const stored = this.#writable(room)
    if (stored instanceof Error) return Promise.reject(stored)
    const seq = ++stored.lastSeq
    stored.log.push({ seq, update: copy(update) })
    const now = Date.now()
    stored.times ??= { createdAtMs: now, updatedAtMs: now }
    stored.times.updatedAtMs = now
    // Resolved promises settle in the order they were made: appends resolve in call order.
    return Promise.resolve(seq)
  }

  compact(room: string, state: EncodedState, throughSeq: number): Promise<void> {
    const stored = this.#writable(room)
    if (stored instanceof Error) return Promise.reject(stored)
    stored.compacted = copyState(state)
    stored.log = stored.log.filter((entry) => entry.seq > throughSeq)
    const now = Date.now()
    stored.times ??= { createdAtMs: now, updatedAtMs: now }
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

  listDocuments(query: DocumentQuery): Promise<DocumentPage> {
    if (this.#isClosed) return Promise.reject(closedError())
    // The executor turns a query `checkDocumentQuery` throws for into a rejection.
    return new Promise((resolve) => {
      checkDocumentQuery(query)
      const { prefix, limit, after } = query
      const matching = [...this.#rooms]
        .filter(([name, stored]) => stored.times && name.startsWith(prefix))
        .filter(([name]) => after === null || name > after)
        .sort(([a], [b]) => compareNames(a, b))
      const documents = matching.slice(0, limit).map(([name, stored]) => infoOf(name, stored)!)
      const next = matching.length > limit ? (documents.at(-1)?.name ?? null) : null
      resolve({ documents, next })
    })
  }

  documentInfo(room: string): Promise<DocumentInfo | null> {
    if (this.#isClosed) return Promise.reject(closedError())
    const stored = this.#rooms.get(room)
    return Promise.resolve(stored ? infoOf(room, stored) : null)
  }

  deleteDocument(room: string): Promise<void> {
    const stored = this.#unloaded(room)
    if (stored instanceof Error) return Promise.reject(stored)
    // Its sequence numbers go on: `lastSeq` stays.
    stored.compacted = null
    stored.log = []
    stored.times = null
    stored.versions.clear()
    return Promise.resolve()
  }

  importDocument(room: string, content: DocumentImport): Promise<void> {
    const stored = this.#unloaded(room)
    if (stored instanceof Error) return Promise.reject(stored)
    stored.compacted = copyState(content.state)
    stored.log = []
    stored.times = { createdAtMs: content.createdAtMs, updatedAtMs: content.updatedAtMs }
    return Promise.resolve()
  }

  putVersion(room: string, info: VersionInfo, content: Uint8Array): Promise<void> {
    if (this.#isClosed) return Promise.reject(closedError())
    this.#room(room).versions.set(info.id, { info: structuredClone(info), content: copy(content) })
    return Promise.resolve()
  }

  listVersions(room: string): Promise<VersionInfo[]> {
    if (this.#isClosed) return Promise.reject(closedError())
    const versions = [...(this.#rooms.get(room)?.versions.values() ?? [])]
    return Promise.resolve(versions.map(({ info }) => structuredClone(info)).sort(newestFirst))
  }

  readVersion(room: string, id: string): Promise<Uint8Array | null> {
    if (this.#isClosed) return Promise.reject(closedError())
    const version = this.#rooms.get(room)?.versions.get(id)
    return Promise.resolve(version ? copy(version.content) : null)
  }

  deleteVersion(room: string, id: string): Promise<void> {
    if (this.#isClosed) return Promise.reject(closedError())
    this.#rooms.get(room)?.versions.delete(id)
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

  #room(room: string): MemoryRoom {
    let stored = this.#rooms.get(room)
    if (!stored) {
      stored = { compacted: null, log: [], lastSeq: 0, times: null, versions: new Map() }
      this.#rooms.set(room, stored)
    }
    return stored
  }

  // Returned, not thrown: a write that cannot be made rejects, as a real store's would.
  #writable(room: string): MemoryRoom | Error {
    if (this.#isClosed) return closedError()
    if (!this.#loaded.has(room)) {
      return new Error(`room ${JSON.stringify(room)} was not loaded from this store`)
    }
    return this.#room(room)
  }

  // Deleting or importing a document needs it unloaded: the server's copy would outlive it.
  #unloaded(room: string): MemoryRoom | Error {
    if (this.#isClosed) return closedError()
    if (this.#loaded.has(room)) {
      return new Error(`room ${JSON.stringify(room)} is loaded; it must be evicted first`)
    }
    return this.#room(room)
  }
}
