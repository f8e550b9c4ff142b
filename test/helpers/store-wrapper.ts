// Stores for tests that pass every call through to a real store, except the calls a test
// overrides to delay, count or fail them.
import type { DocStore, EncodedState, StoredDoc } from '../../persistence/store.js'

/** A store that passes every call to `inner`; subclasses override what they need. */
export class PassThroughStore implements DocStore {
  readonly inner: DocStore

  constructor(inner: DocStore) {
    this.inner = inner
  }

  load(room: string): Promise<StoredDoc> {
    return this.inner.load(room)
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

  close(): Promise<void> {
    return this.inner.close()
  }
}

/** `store` with some calls replaced by `overrides`; the others pass through. */
export function wrapStore(store: DocStore, overrides: Partial<DocStore>): DocStore {
  const passThrough = new PassThroughStore(store)
  return {
    load: (room) => passThrough.load(room),
    append: (room, update) => passThrough.append(room, update),
    compact: (room, state, throughSeq) => passThrough.compact(room, state, throughSeq),
    evict: (room) => passThrough.evict(room),
    readRecord: (name) => passThrough.readRecord(name),
    writeRecord: (name, value) => passThrough.writeRecord(name, value),
    close: () => passThrough.close(),
    ...overrides,
  }
}
