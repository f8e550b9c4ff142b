// The state of one room's document: the lazily built Y.Doc, the encoded full state, and what a
// state vector lacks. Holds only durable updates; knows nothing of members or of the store.
import * as Y from 'yjs'
import type { EncodedState, StoredDoc } from '../../persistence/store.js'
import { type Origin, storeOrigin } from '../events.js'
import type { Logger } from '../logger.js'

// Queued updates are applied once this many wait, so that a client joining a busy document never
// waits for a long queue to be applied first; applying a hundred at once costs far less than one
// transaction each.
const maxUnappliedUpdates = 100

// The state of a document that was never written.
const emptyDocument: EncodedState = {
  update: new Uint8Array([0, 0]),
  stateVector: new Uint8Array([0]),
}

// A state vector that lists no client: the asker has nothing, so the whole state answers it.
const isEmptyStateVector = (stateVector: Uint8Array): boolean =>
  stateVector.length === 1 && stateVector[0] === 0

interface QueuedUpdate {
  readonly update: Uint8Array
  readonly origin: Origin
}

/**
 * One document's content. The Y.Doc is built and brought up to date only when something needs it
 * (a partial sync, a compaction): a durable update is only queued, and the queue is applied when
 * the document is next needed or when it is long. A client that joins with nothing gets the
 * encoded state as it is, so a cold load from a compacted state costs one read, and a room that
 * only relays holds no Y.Doc until it compacts.
 */
export class DocumentState {
  readonly #logger: Logger
  /** Built on first use; see the class comment. */
  #doc: Y.Doc | null = null
  /** The stored compacted update, until `#doc` is built from it. */
  #compacted: Uint8Array | null
  /** Durable updates not yet applied to the document (or to `#compacted`), oldest first. */
  #unapplied: QueuedUpdate[]
  /** The whole document as one update, while it is current; dropped on every change. */
  #fullState: EncodedState | null
  /** The encoded size of the full state when it was last known, and the bytes added since. */
  #sizeBase: number
  #bytesSinceSizeBase: number

  constructor(stored: StoredDoc, logger: Logger) {
    this.#logger = logger
    this.#compacted = stored.compacted?.update ?? null
    this.#unapplied = stored.log.map((update) => ({ update, origin: storeOrigin }))
    this.#fullState = stored.log.length > 0 ? null : (stored.compacted ?? emptyDocument)
    this.#sizeBase = (stored.compacted ?? emptyDocument).update.length
    this.#bytesSinceSizeBase = stored.log.reduce((sum, update) => sum + update.length, 0)
  }

  /** The document's state vector (what a greeting sync step 1 carries). */
  stateVector(): Uint8Array {
    return this.#fullState?.stateVector ?? Y.encodeStateVector(this.doc())
  }

  /**
   * The update a peer with `stateVector` lacks. Throws (a lib0 or Yjs error) when the state
   * vector cannot be decoded.
   */
  missing(stateVector: Uint8Array): Uint8Array {
    return isEmptyStateVector(stateVector)
      ? this.fullState().update
      : Y.encodeStateAsUpdate(this.doc(), stateVector)
  }

  /** The whole document as one update, encoded once and reused until the document changes. */
  fullState(): EncodedState {
    if (this.#fullState) return this.#fullState
    const doc = this.doc()
    this.#fullState = { update: Y.encodeStateAsUpdate(doc), stateVector: Y.encodeStateVector(doc) }
    this.#sizeBase = this.#fullState.update.length
    this.#bytesSinceSizeBase = 0
    return this.#fullState
  }

  /**
   * The encoded size of the full state when it was last encoded (or loaded) plus the bytes of
   * every update added since: costs nothing, and is the exact size while the full state is
   * current. Merging updates mostly makes them smaller than their sum, but not always (splitting
   * a long item costs a few bytes), so a limit compares `exactBytes` before it refuses.
   */
  estimatedBytes(): number {
    return this.#sizeBase + this.#bytesSinceSizeBase
  }

  /** The exact encoded size: encodes the full state, reused until the document next changes. */
  exactBytes(): number {
    return this.fullState().update.length
  }

  /**
   * The encoded size of the full state merged with `update`, which counts what the document
   * already holds once (deleted content is not collected, so this errs on the large side).
   * Costs a merge of the whole state: for a limit's last word only.
   */
  mergedBytes(update: Uint8Array): number {
    return Y.mergeUpdates([this.fullState().update, update]).length
  }

  /** Adds a durable update. */
  add(update: Uint8Array, origin: Origin): void {
    this.#unapplied.push({ update, origin })
    this.#fullState = null
    this.#bytesSinceSizeBase += update.length
    if (this.#unapplied.length >= maxUnappliedUpdates) this.doc()
  }

  /**
   * The Y.Doc with every durable update applied. Queued updates go in one transaction per run of
   * updates with the same origin, so the document's observers see who made each change.
   */
  doc(): Y.Doc {
    let doc = this.#doc
    if (!doc) {
      doc = new Y.Doc()
      if (this.#compacted) this.#applyStored(doc, this.#compacted, storeOrigin)
      this.#compacted = null
      this.#doc = doc
    }
    const queue = this.#unapplied
    if (queue.length === 0) return doc
    this.#unapplied = []
    const current = doc
    let start = 0
    while (start < queue.length) {
      const origin = queue[start]!.origin
      let end = start + 1
      while (end < queue.length && queue[end]!.origin === origin) end++
      const [from, to] = [start, end]
      Y.transact(
        current,
        () => {
          for (let i = from; i < to; i++) this.#applyStored(current, queue[i]!.update, origin)
        },
        origin,
      )
      start = end
    }
    return doc
  }

  /** Frees the document; the state must not be used afterwards. */
  destroy(): void {
    this.#doc?.destroy()
    this.#doc = null
    this.#compacted = null
    this.#unapplied = []
    this.#fullState = null
  }

  // Every update was checked before it was stored, so one that still fails to apply is damaged
  // in a way the check cannot see: it is skipped, as on load, rather than failing the room.
  #applyStored(doc: Y.Doc, update: Uint8Array, origin: Origin): void {
    try {
      Y.applyUpdate(doc, update, origin)
    } catch (error) {
      this.#logger.error({ err: error }, 'skipped a stored update that could not be applied')
    }
  }
}
