// The one path by which a room's document changes: append to the store → durable → into the
// document state → relayed, and the compactions that fold the log into one state when its
// policy (compaction-policy.ts) says so.
import {
  type DocStore,
  type EncodedState,
  type StoredDoc,
  WriterFencedError,
} from '../../persistence/store.js'
import type { CollabDocument, Observers, Origin } from '../events.js'
import type { Logger } from '../logger.js'
import { type CompactionLimits, CompactionPolicy } from './compaction-policy.js'
import type { DocumentState } from './document-state.js'

/** What a pipeline works with; owned by its room. */
export interface WritePipelineContext {
  readonly room: string
  readonly store: DocStore
  readonly state: DocumentState
  readonly limits: CompactionLimits
  readonly observers: Observers
  /** The room's document as observers read it. */
  readonly document: CollabDocument
  readonly logger: Logger
  /** Called once an update is durable and in the document state: relay it. */
  readonly onDurable: (update: Uint8Array, origin: Origin) => void
  /**
   * The store fenced a write: another instance of a cluster loaded the room since. Not a store
   * failure (observers are not told of one); the room is closed here.
   */
  readonly onFenced: () => void
}

/**
 * Writes a room's updates. Invariant: an update reaches the document state (and so the room's
 * connections and new joiners) only after the store has made it durable (write-before-relay).
 */
export class WritePipeline {
  readonly #context: WritePipelineContext
  #lastDurableSeq: number
  #logEntries: number
  #logBytes: number
  #pendingWrites = 0
  #pendingBytes = 0
  #writesSettled: Array<() => void> = []
  #compaction: Promise<void> | null = null
  readonly #policy: CompactionPolicy
  /** Set while a compaction that is due waits out the policy's minimum interval. */
  #deferredCompaction: NodeJS.Timeout | undefined
  #isClosed = false

  constructor(context: WritePipelineContext, stored: StoredDoc) {
    this.#context = context
    this.#policy = new CompactionPolicy(context.limits, stored.compacted?.update.length ?? 0)
    this.#lastDurableSeq = stored.lastSeq
    this.#logEntries = stored.log.length
    this.#logBytes = stored.log.reduce((sum, update) => sum + update.length, 0)
    this.#compactIfDue()
  }

  /** Whether no write is under way. */
  get isIdle(): boolean {
    return this.#pendingWrites === 0
  }

  /** Entries and bytes of the log written since the last compaction. */
  get log(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.#logEntries, bytes: this.#logBytes }
  }

  /** Bytes of the updates being appended: not durable yet, so not in the document state. */
  get pendingBytes(): number {
    return this.#pendingBytes
  }

  /**
   * Appends a checked update to the store; once it is durable, adds it to the document state and
   * calls `onDurable`. Rejects, having changed nothing, when the store cannot write it.
   * `receivedAtMs` (performance.now()) is when the update arrived, for the timings observers see.
   */
  write(update: Uint8Array, origin: Origin, receivedAtMs = performance.now()): Promise<void> {
    const { room, store, state, observers, document } = this.#context
    this.#pendingWrites++
    this.#pendingBytes += update.length
    const appendStartedAtMs = performance.now()
    return store.append(room, update).then(
      (seq) => {
        const appendMs = performance.now() - appendStartedAtMs
        this.#writeSettled(update.length)
        this.#lastDurableSeq = seq
        this.#logEntries++
        this.#logBytes += update.length
        state.add(update, origin)
        this.#context.onDurable(update, origin)
        const relayMs = performance.now() - receivedAtMs
        observers.notify('updateStored', room, update, origin, document, { appendMs, relayMs })
        this.#compactIfDue()
      },
      (error: unknown) => {
        this.#writeSettled(update.length)
        this.#failed('append', error)
        throw error
      },
    )
  }

  /** Resolves once no write is under way (each was stored or failed). */
  async settled(): Promise<void> {
    while (this.#pendingWrites > 0) {
      await new Promise<void>((resolve) => this.#writesSettled.push(resolve))
    }
  }

  /**
   * Waits for every write under way, then compacts the whole log into one state. Rejects when the
   * store fails; the room then stays loaded and the caller retries later. `evenWhenEmpty` writes
   * the state also when the log is empty: a document that was never written then exists.
   */
  async compactAll(evenWhenEmpty = false): Promise<void> {
    await this.settled()
    // A compaction that finishes may start the next one for entries written in the meantime.
    while (this.#compaction) await this.#compaction
    if ((this.#logEntries > 0 || evenWhenEmpty) && this.#mayCompact()) await this.#compact()
  }

  // A document that broke, or was built without stored updates Yjs could not apply, is never
  // compacted: the store keeps everything it was given (document-state.ts).
  #mayCompact(): boolean {
    const { state } = this.#context
    return !state.isBroken && state.skippedStoredUpdates === 0
  }

  #writeSettled(bytes: number): void {
    this.#pendingWrites--
    this.#pendingBytes -= bytes
    if (this.#pendingWrites === 0) for (const resolve of this.#writesSettled.splice(0)) resolve()
  }

  #failed(operation: 'append' | 'compact', error: unknown): void {
    if (error instanceof WriterFencedError) this.#context.onFenced()
    else this.#context.observers.notify('storeFailed', this.#context.room, operation, error)
  }

  /** Stops compacting on its own (the room is being destroyed). */
  close(): void {
    this.#isClosed = true
    clearTimeout(this.#deferredCompaction)
  }

  #compactIfDue(): void {
    if (this.#compaction || this.#deferredCompaction || this.#isClosed || !this.#mayCompact()) {
      return
    }
    const advice = this.#policy.advise(this.#logEntries, this.#logBytes, performance.now())
    if (advice.kind === 'later') {
      this.#deferredCompaction = setTimeout(() => {
        this.#deferredCompaction = undefined
        this.#compactIfDue()
      }, advice.waitMs)
      this.#deferredCompaction.unref()
    }
    if (advice.kind !== 'now') return
    this.#compact().catch((error: unknown) => {
      this.#context.logger.error({ err: error }, 'compaction failed; it will be retried')
    })
  }

  // The compacted state covers exactly the durable updates (through #lastDurableSeq); appends
  // still being written get higher sequence numbers and stay in the log.
  // Async, so that what the state throws while it is encoded rejects like a store failure.
  async #compact(): Promise<void> {
    const { room, store, state, observers } = this.#context
    const entries = this.#logEntries
    const logBytes = this.#logBytes
    this.#logEntries = 0
    this.#logBytes = 0
    const startedAtMs = performance.now()
    this.#policy.started(startedAtMs)
    let encoded: EncodedState
    try {
      encoded = state.fullState()
    } catch (error) {
      this.#logEntries += entries
      this.#logBytes += logBytes
      throw error
    }
    if (!this.#mayCompact()) {
      // Building the document for this compaction found stored updates Yjs cannot apply.
      this.#logEntries += entries
      this.#logBytes += logBytes
      return
    }
    this.#compaction = store.compact(room, encoded, this.#lastDurableSeq).then(
      () => {
        this.#compaction = null
        this.#policy.compacted(encoded.update.length)
        observers.notify('compacted', room, {
          entries,
          logBytes,
          stateBytes: encoded.update.length,
          durationMs: performance.now() - startedAtMs,
        })
        // A burst may have passed the threshold again while this compaction was written.
        this.#compactIfDue()
      },
      (error: unknown) => {
        this.#compaction = null
        this.#logEntries += entries
        this.#logBytes += logBytes
        this.#failed('compact', error)
        throw error
      },
    )
    await this.#compaction
  }
}
