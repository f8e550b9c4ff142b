// The state of one room's document: the lazily built Y.Doc, the encoded full state, and what a
// state vector lacks. Holds only durable updates; knows nothing of members or of the store.
// Contains what Yjs throws: a stored update it cannot apply is skipped when the document is
// built, and one that fails later breaks the state (the room then reloads it from the store).
import * as Y from 'yjs'
import type { StructPlace } from '../../protocol/update-shape.js'
import type { EncodedState, StoredDoc } from '../../persistence/store.js'
import { type Origin, storeOrigin } from '../events.js'
import type { Logger } from '../logger.js'

// Queued updates are applied once this many wait, so that a client joining a busy document never
// waits for a long queue to be applied first; applying a hundred at once costs far less than one
// transaction each. Large updates are applied sooner: a queued update holds its received bytes,
// which the document holds again once it is applied.
const maxUnappliedUpdates = 100
const maxUnappliedBytes = 1024 * 1024

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
 * Thrown by every use of a document state once Yjs failed while applying a durable update to
 * the built document: the document may be inconsistent, so it must not be served or compacted.
 */
export class DocumentBrokenError extends Error {
  override readonly name = 'DocumentBrokenError'
}

/** Told what Yjs failed on (server/events.ts `documentFailed`). */
export type DocumentFailureListener = (failure: 'skipped' | 'broken', error: unknown) => void

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
  #unappliedBytes = 0
  /** The whole document as one update, while it is current; dropped on every change. */
  #fullState: EncodedState | null
  /** The encoded size of the full state when it was last known, and the bytes added since. */
  #sizeBase: number
  #bytesSinceSizeBase: number
  /** The clocks of `#fullStateClocksOf`'s state vector, decoded once. */
  #fullStateClocksOf: EncodedState | null = null
  #clocks = new Map<number, number>()

  /** Set once the state broke; see DocumentBrokenError. */
  #broken: DocumentBrokenError | null = null
  readonly #onFailure: DocumentFailureListener
  /** Stored updates skipped when the document was built, because Yjs could not apply them. */
  #skippedStored = 0

  /** `onFailure` is told when a build left stored updates out, and once when the state breaks. */
  constructor(stored: StoredDoc, logger: Logger, onFailure: DocumentFailureListener) {
    this.#logger = logger
    this.#onFailure = onFailure
    this.#compacted = stored.compacted?.update ?? null
    this.#unapplied = stored.log.map((update) => ({ update, origin: storeOrigin }))
    this.#fullState = stored.log.length > 0 ? null : (stored.compacted ?? emptyDocument)
    this.#sizeBase = (stored.compacted ?? emptyDocument).update.length
    this.#bytesSinceSizeBase = stored.log.reduce((sum, update) => sum + update.length, 0)
    this.#unappliedBytes = this.#bytesSinceSizeBase
  }

  /** The document's state vector (what a greeting sync step 1 carries). */
  stateVector(): Uint8Array {
    return this.#fullState?.stateVector ?? Y.encodeStateVector(this.doc())
  }

  /**
   * The update a peer with `stateVector` lacks. A peer that holds nothing of the document (a new
   * client, or a state vector made up) gets the full state itself, encoded once and the same
   * bytes for every such peer (see `isFullState`), instead of an encoding of its own. Throws (a
   * lib0 or Yjs error) when the state vector cannot be decoded.
   */
  missing(stateVector: Uint8Array): Uint8Array {
    if (isEmptyStateVector(stateVector)) return this.fullState().update
    const asked = Y.decodeStateVector(stateVector)
    return this.#holdsAnyOf(asked)
      ? Y.encodeStateAsUpdate(this.doc(), stateVector)
      : this.fullState().update
  }

  /** Whether `update` is the current full state (what `missing` answers peers holding nothing). */
  isFullState(update: Uint8Array): boolean {
    return this.#fullState?.update === update
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

  /**
   * Stored updates that Yjs could not apply when the document was built: it holds the rest.
   * The store still holds them, and a document that skipped some must not be compacted over them.
   */
  get skippedStoredUpdates(): number {
    return this.#skippedStored
  }

  /** Adds a durable update. */
  add(update: Uint8Array, origin: Origin): void {
    this.#unapplied.push({ update, origin })
    this.#unappliedBytes += update.length
    this.#fullState = null
    this.#bytesSinceSizeBase += update.length
    const isLong =
      this.#unapplied.length >= maxUnappliedUpdates || this.#unappliedBytes >= maxUnappliedBytes
    if (!isLong || this.#broken) return
    try {
      this.doc()
    } catch (error) {
      if (!(error instanceof DocumentBrokenError)) throw error
    }
  }

  /**
   * The depth of the type at a place of the document (update-shape.ts): the type item's own type
   * (`inside`), or the parent type of an item (`beside`); a root type has depth 1. Undefined when
   * the document does not hold that item (yet), or holds only what is left of it after deletion.
   */
  typeDepthAt(place: Exclude<StructPlace, { kind: 'root' }>): number | undefined {
    const store = this.doc().store
    if (Y.getState(store, place.client) <= place.clock) return undefined
    const struct = Y.getItem(store, Y.createID(place.client, place.clock))
    if (!(struct instanceof Y.Item)) return undefined
    let type: unknown = struct.parent
    if (place.kind === 'inside') {
      type = struct.content instanceof Y.ContentType ? struct.content.type : undefined
    }
    let depth = 0
    while (type instanceof Y.AbstractType) {
      depth++
      type = type._item?.parent
    }
    return depth > 0 ? depth : undefined
  }

  /** The document's clock per client (its state vector, decoded). */
  clocks(): Map<number, number> {
    return Y.decodeStateVector(this.stateVector())
  }

  /** Whether the state broke (see DocumentBrokenError). */
  get isBroken(): boolean {
    return this.#broken !== null
  }

  /** Bytes of content the document holds that waits for content it lacks (Yjs pending). */
  pendingBytes(): number {
    const { pendingStructs, pendingDs } = this.doc().store
    return (pendingStructs?.update.length ?? 0) + (pendingDs?.length ?? 0)
  }

  /**
   * The Y.Doc with every durable update applied. Queued updates go in one transaction per run of
   * updates with the same origin, so the document's observers see who made each change. Throws
   * DocumentBrokenError once Yjs failed to apply an update to the built document.
   */
  doc(): Y.Doc {
    if (this.#broken) throw this.#broken
    const doc = this.#doc ?? this.#build()
    const queue = this.#unapplied
    if (queue.length === 0) return doc
    this.#unapplied = []
    this.#unappliedBytes = 0
    try {
      applyInRuns(doc, queue, (update, origin) => this.#applyStored(doc, update, origin))
    } catch (error) {
      this.#break(error)
    }
    return doc
  }

  // The first build, from everything stored and queued. Should Yjs throw out of a transaction
  // (a stack overflow while it deletes or collects a deeply nested type), the document may be
  // half-changed, so it is built again from the start, one update per transaction, leaving out
  // each update that throws: it serves what it can, and says what it left out.
  #build(): Y.Doc {
    const updates: QueuedUpdate[] = this.#compacted
      ? [{ update: this.#compacted, origin: storeOrigin }, ...this.#unapplied]
      : this.#unapplied
    this.#compacted = null
    this.#unapplied = []
    this.#unappliedBytes = 0
    let doc = new Y.Doc()
    try {
      applyInRuns(doc, updates, (update, origin) => this.#applyStored(doc, update, origin))
    } catch (error) {
      const left = new Set<QueuedUpdate>()
      doc.destroy()
      doc = this.#buildLeavingOut(updates, left)
      this.#skippedStored += left.size
      this.#logger.error(
        { skipped: left.size, of: updates.length },
        'Yjs failed on stored updates of this document; it is served without them and will not be compacted',
      )
      this.#onFailure('skipped', error)
    }
    this.#doc = doc
    return doc
  }

  #buildLeavingOut(updates: readonly QueuedUpdate[], left: Set<QueuedUpdate>): Y.Doc {
    for (;;) {
      const doc = new Y.Doc()
      const failed = updates.find((queued) => {
        if (left.has(queued)) return false
        try {
          Y.applyUpdate(doc, queued.update, queued.origin)
          return false
        } catch {
          return true
        }
      })
      if (!failed) return doc
      doc.destroy()
      left.add(failed)
    }
  }

  #break(cause: unknown): never {
    const broken = new DocumentBrokenError('Yjs failed while applying an update to the document', {
      cause,
    })
    this.#broken = broken
    this.#fullState = null
    this.#onFailure('broken', broken)
    throw broken
  }

  /** Whether the document holds content of any client that `asked` lists with a clock. */
  #holdsAnyOf(asked: Map<number, number>): boolean {
    const known = this.#fullState ? this.#fullStateClocks() : null
    for (const [client, clock] of asked) {
      if (clock === 0) continue
      const held = known ? (known.get(client) ?? 0) : Y.getState(this.doc().store, client)
      if (held > 0) return true
    }
    return false
  }

  #fullStateClocks(): Map<number, number> {
    const state = this.#fullState!
    if (this.#fullStateClocksOf !== state) {
      this.#fullStateClocksOf = state
      this.#clocks = Y.decodeStateVector(state.stateVector)
    }
    return this.#clocks
  }

  /** Frees the document; the state must not be used afterwards. */
  destroy(): void {
    this.#doc?.destroy()
    this.#doc = null
    this.#compacted = null
    this.#unapplied = []
    this.#fullState = null
  }

  // Every update was checked before it was stored, so one that still fails to decode is damaged
  // in a way the check cannot see: it is skipped rather than failing the room (Yjs decodes an
  // update before it changes the document).
  #applyStored(doc: Y.Doc, update: Uint8Array, origin: Origin): void {
    try {
      Y.applyUpdate(doc, update, origin)
    } catch (error) {
      // A stack overflow may come after Yjs changed the document: not one to skip in place.
      if (error instanceof RangeError) throw error
      this.#logger.error({ err: error }, 'skipped a stored update that could not be applied')
    }
  }
}

/** Applies `queue` to `doc` in one transaction per run of updates with the same origin. */
function applyInRuns(
  doc: Y.Doc,
  queue: readonly QueuedUpdate[],
  apply: (update: Uint8Array, origin: Origin) => void,
): void {
  let start = 0
  while (start < queue.length) {
    const origin = queue[start]!.origin
    let end = start + 1
    while (end < queue.length && queue[end]!.origin === origin) end++
    const [from, to] = [start, end]
    Y.transact(
      doc,
      () => {
        for (let i = from; i < to; i++) apply(queue[i]!.update, origin)
      },
      origin,
    )
    start = end
  }
}
