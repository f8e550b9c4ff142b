// Stores for tests that pass every call through to a real store, except the calls a test
// overrides to delay, count or fail them.
import type {
  DocStore,
  DocumentImport,
  DocumentInfo,
  DocumentPage,
  DocumentQuery,
  EncodedState,
  StoredDoc,
  VersionInfo,
} from '../../persistence/store.js'

/** A store that passes every call to `inner`; subclasses override what they need. */
export class PassThroughStore implements DocStore {
  readonly inner: DocStore

  constructor(inner: DocStore) {
    this.inner = inner
  }

  load(room: string): Promise<StoredDoc> {
    return this.inner.load(room)
  }

  read(room: string): Promise<StoredDoc> {
    return this.inner.read(room)
  }

  append(room: string, update: Uint8Array): Promise<number> {
    return this.inner.append(room, update)
  }

  compact(room: string, state: EncodedState, throughSeq: number): Promise<void> {
    return this.inner.compact(room, state, throughSeq)
  }

  evict(room: string): void {
    this.inner.evict(room)
  }

  readRecord(name: string): Promise<Uint8Array | null> {
    return this.inner.readRecord(name)
  }

  writeRecord(name: string, value: Uint8Array): Promise<void> {
    return this.inner.writeRecord(name, value)
  }

  listDocuments(query: DocumentQuery): Promise<DocumentPage> {
    return this.inner.listDocuments(query)
  }

  documentInfo(room: string): Promise<DocumentInfo | null> {
    return this.inner.documentInfo(room)
  }

  deleteDocument(room: string): Promise<void> {
    return this.inner.deleteDocument(room)
  }

  importDocument(room: string, content: DocumentImport): Promise<void> {
    return this.inner.importDocument(room, content)
  }

  putVersion(room: string, info: VersionInfo, content: Uint8Array): Promise<void> {
    return this.inner.putVersion(room, info, content)
  }

  listVersions(room: string): Promise<VersionInfo[]> {
    return this.inner.listVersions(room)
  }

  readVersion(room: string, id: string): Promise<Uint8Array | null> {
    return this.inner.readVersion(room, id)
  }

  deleteVersion(room: string, id: string): Promise<void> {
    return this.inner.deleteVersion(room, id)
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}

/** `store` with some calls replaced by `overrides`; the others pass through. */
export function wrapStore(store: DocStore, overrides: Partial<DocStore>): DocStore {
  const passThrough = new PassThroughStore(store)
  return {
    load: (room) => passThrough.load(room),
    read: (room) => passThrough.read(room),
    append: (room, update) => passThrough.append(room, update),
    compact: (room, state, throughSeq) => passThrough.compact(room, state, throughSeq),
    evict: (room) => passThrough.evict(room),
    readRecord: (name) => passThrough.readRecord(name),
    writeRecord: (name, value) => passThrough.writeRecord(name, value),
    listDocuments: (query) => passThrough.listDocuments(query),
    documentInfo: (room) => passThrough.documentInfo(room),
    deleteDocument: (room) => passThrough.deleteDocument(room),
    importDocument: (room, content) => passThrough.importDocument(room, content),
    putVersion: (room, info, content) => passThrough.putVersion(room, info, content),
    listVersions: (room) => passThrough.listVersions(room),
    readVersion: (room, id) => passThrough.readVersion(room, id),
    deleteVersion: (room, id) => passThrough.deleteVersion(room, id),
    close: () => passThrough.close(),
    ...overrides,
  }
}
