// When an open document's update log is folded into one compacted state. A compaction re-encodes
// and rewrites the whole document, so its cost is the document's size: compacting every few
// megabytes of log makes a large document's total cost quadratic in what was written. Here the
// thresholds grow with the compacted state, so each compaction is paid for by log of a size
// proportional to the state it rewrites, and the total work stays linear in what was written.
import type { ServerLimits } from '../options.js'

/** The limits the policy follows. */
export type CompactionLimits = Pick<
  ServerLimits,
  'compactAfterUpdates' | 'compactAfterBytes' | 'compactMinIntervalMs'
>

// The log is compacted once it holds this many times the compacted state's bytes. At 2, each
// state is three times the last, so the states written while a document grows from nothing sum
// to at most 1.5 times the last one (at 1, twice): with the compaction when the document unloads,
// 2.5 times its size at most.
const logToStateRatio = 2

/** What the policy says about a log: compact now, later (after `waitMs`), or not yet. */
export type CompactionAdvice =
  | { readonly kind: 'now' }
  | { readonly kind: 'later'; readonly waitMs: number }
  | { readonly kind: 'notYet' }

/** The compaction policy of one open document. */
export class CompactionPolicy {
  readonly #limits: CompactionLimits
  #stateBytes: number
  #lastCompactionMs = Number.NEGATIVE_INFINITY

  /** `stateBytes`: the size of the compacted state the document was loaded from (0 if none). */
  constructor(limits: CompactionLimits, stateBytes: number) {
    this.#limits = limits
    this.#stateBytes = stateBytes
  }

  /**
   * Whether a log of `entries` updates and `bytes` bytes is due: once its bytes pass twice the
   * compacted state (and `compactAfterBytes` at least), or its entries pass `compactAfterUpdates`
   * scaled by how many times the state is larger than `compactAfterBytes`; and no sooner than
   * `compactMinIntervalMs` after the last compaction.
   */
  advise(entries: number, bytes: number, nowMs: number): CompactionAdvice {
    const { compactAfterUpdates, compactAfterBytes, compactMinIntervalMs } = this.#limits
    const scale = Math.max(1, this.#stateBytes / compactAfterBytes)
    const isDue =
      entries >= compactAfterUpdates * scale ||
      bytes >= Math.max(compactAfterBytes, logToStateRatio * this.#stateBytes)
    if (!isDue) return { kind: 'notYet' }
    const waitMs = this.#lastCompactionMs + compactMinIntervalMs - nowMs
    return waitMs > 0 ? { kind: 'later', waitMs } : { kind: 'now' }
  }

  /** A compaction starts: the next is due no sooner than the interval after this one. */
  started(nowMs: number): void {
    this.#lastCompactionMs = nowMs
  }

  /** A compaction wrote a state of `stateBytes`. */
  compacted(stateBytes: number): void {
    this.#stateBytes = stateBytes
  }
}
