// Refuses updates that would hurt a document however well-formed they are: types nested deeper
// than the limit (Yjs deletes and collects nested types recursively, so a deep nesting overflows
// the stack of every process that loads the document), and content that would wait for ever for
// content the document lacks (Yjs keeps such pending structs, and sends them to every joiner).
// Works from the update's shape (protocol/update-shape.ts) and the document state.
import { CloseCode } from '../../protocol/close-codes.js'
import { CollabError } from '../../protocol/collab-error.js'
import type { UpdateShape } from '../../protocol/update-shape.js'
import type { ServerLimits } from '../options.js'
import type { DocumentState } from './document-state.js'

/** The limits the guard enforces. */
export type StructureLimits = Pick<ServerLimits, 'maxNestingDepth' | 'maxPendingBytes'>

const refused = (message: string): CollabError =>
  new CollabError('COLLAB_BAD_PAYLOAD', CloseCode.invalidPayload, message)

/**
 * The structure guard of one room. `admit` is called for every update in the order the room
 * accepts them, before they are written; `settled` whenever no write is under way.
 */
export class StructureGuard {
  readonly #state: DocumentState
  readonly #limits: StructureLimits
  /**
   * Per client, the clock the document reaches once every update admitted so far is in it,
   * counting only updates that needed nothing it lacked. Read from the document when null.
   */
  #clocks: Map<number, number> | null = null
  /** Bytes of admitted updates that needed content the document lacked; exact once settled. */
  #pendingBytes = 0
  /**
   * The deepest type of an admitted update that the document does not hold yet (being written,
   * or pending): what an update nesting under content the document cannot show is measured from.
   */
  #unsettledDepth = 0

  constructor(state: DocumentState, limits: StructureLimits) {
    this.#state = state
    this.#limits = limits
  }

  /** Throws a 1007 CollabError, and admits nothing, when `shape`'s update must be refused. */
  admit(shape: UpdateShape, updateBytes: number): void {
    const depth = this.#deepestNesting(shape)
    const { maxNestingDepth, maxPendingBytes } = this.#limits
    if (depth > maxNestingDepth) {
      throw refused(
        `the update nests shared types ${depth} deep; the limit is ${maxNestingDepth}: it was not stored`,
      )
    }
    const clocks = (this.#clocks ??= this.#state.clocks())
    const isComplete = needsNothingMore(shape, clocks)
    if (!isComplete && this.#pendingBytes + updateBytes > maxPendingBytes) {
      throw refused(
        `the update depends on content the document does not have, and the document already waits on ${this.#pendingBytes} bytes of such content (limit ${maxPendingBytes}): it was not stored`,
      )
    }
    if (isComplete) {
      for (const { client, end } of shape.ranges) {
        if ((clocks.get(client) ?? 0) < end) clocks.set(client, end)
      }
    } else {
      this.#pendingBytes += updateBytes
    }
    this.#unsettledDepth = Math.max(this.#unsettledDepth, depth)
  }

  /** No write is under way: the document holds everything admitted; re-read what is pending. */
  settled(): void {
    if (this.#pendingBytes > 0) {
      this.#pendingBytes = this.#state.pendingBytes()
      this.#clocks = null
    }
    if (this.#pendingBytes === 0) this.#unsettledDepth = 0
  }

  /** A write failed: what was admitted is not all in the document; re-read the clocks. */
  writeFailed(): void {
    this.#clocks = null
  }

  #deepestNesting(shape: UpdateShape): number {
    let deepest = 0
    for (const { place, levels } of shape.nesting()) {
      const base =
        place.kind === 'root'
          ? 1
          : (this.#state.typeDepthAt(place) ?? Math.max(1, this.#unsettledDepth))
      deepest = Math.max(deepest, base + levels)
    }
    return deepest
  }
}

/**
 * Whether an update integrates fully into a document at `clocks`: each client's structs start at
 * or before the clock the document has, and everything they refer to is in the document or in
 * the update.
 */
function needsNothingMore(shape: UpdateShape, clocks: ReadonlyMap<number, number>): boolean {
  const reach = (client: number): number => {
    let clock = clocks.get(client) ?? 0
    for (const range of shape.ranges) {
      if (range.client === client && range.start <= clock) clock = Math.max(clock, range.end)
    }
    return clock
  }
  for (const { client, start } of shape.ranges) {
    if (start > (clocks.get(client) ?? 0)) return false
  }
  for (const [client, clock] of shape.needs) {
    if (clock > reach(client)) return false
  }
  return true
}
