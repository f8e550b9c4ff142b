// The LevelDB store's write queue: gathers the writes of every room into batches, writes one batch
// at a time, and retries the acknowledged writes of a batch that failed. Knows nothing of rooms'
// contents or the write-ahead log; imports nothing from server/.
import type { BatchOperation, Database } from './database.js'

/** One write waiting for (or in) a batch. */
export interface BatchWrite {
  operations: BatchOperation[]
  /**
   * null for a write that was acknowledged already (an append, durable in the write-ahead log):
   * a failed batch retries it until it is written. Otherwise called once, with the error of the
   * batch that failed or with undefined once the write is in LevelDB.
   */
  settle: ((error: Error | undefined) => void) | null
}

/** What a batcher is given by its store. */
export interface BatcherOptions<W extends BatchWrite> {
  database: Database
  /** Sync each batch to the device (--fsync). */
  syncWrites: boolean
  /** Told about a failed batch; its acknowledged writes are retried, the others fail. */
  onProblem: (message: string, error?: Error) => void
  /**
   * The metadata operations to add to a batch as it is written, given the rooms it touches and
   * whether each one's metadata must go with it.
   */
  metaOperations: (rooms: ReadonlyMap<string, boolean>) => BatchOperation[]
  /** Told of each write once it is in LevelDB, before it is settled. */
  written: (write: W) => void
}

interface Batch<W> {
  writes: W[]
  /** Rooms touched by the batch, and whether their metadata must be written with it. */
  rooms: Map<string, boolean>
  /** Someone waits for it (a load, close): write it as soon as the batch before it is done. */
  isUrgent: boolean
  /** Resolves once every write in it is in LevelDB or failed, retries included. */
  done: Promise<void>
  markDone: (after?: Promise<void>) => void
  /** Settles at the first outcome: resolves once it is written, rejects once a batch failed. */
  attempt: Promise<void>
  settleAttempt: (error: Error | undefined) => void
}

function newBatch<W>(): Batch<W> {
  let markDone: (after?: Promise<void>) => void = () => undefined
  const done = new Promise<void>((resolve) => {
    markDone = (after) => resolve(after)
  })
  let settleAttempt: (error: Error | undefined) => void = () => undefined
  const attempt = new Promise<void>((resolve, reject) => {
    settleAttempt = (error) => (error ? reject(error) : resolve())
  })
  // Only a load waits for it; nobody else must be told of its failure.
  attempt.catch(() => undefined)
  return { writes: [], rooms: new Map(), isUrgent: false, done, markDone, attempt, settleAttempt }
}

// Appends are durable once in the write-ahead log, so LevelDB batches can gather updates for a
// while: fewer, larger batches cost far less than one per update. A batch goes when it is this
// old or this full, whichever comes first: under heavy load, writes held longer would outlive
// young-generation collections and swell the heap. A failed batch is retried after a pause.
const batchDelayMs = 250
const batchMaxWrites = 64
const retryDelayMs = 1000

/** Batches the writes of one store into LevelDB; the store owns it. */
export class Batcher<W extends BatchWrite> {
  readonly #options: BatcherOptions<W>
  /** The batch gathering writes, and the one being written (at most one at a time). */
  #pending: Batch<W> | null = null
  #inFlight: Batch<W> | null = null
  #timer: NodeJS.Timeout | undefined
  /** The error of the last batch, while the batch after it has not been written. */
  #failure: Error | null = null

  constructor(options: BatcherOptions<W>) {
    this.#options = options
  }

  /** Adds a write to the next batch; `mustWriteMeta` makes its room's metadata go with it. */
  queue(room: string, write: W, mustWriteMeta: boolean): void {
    const batch = (this.#pending ??= newBatch())
    batch.writes.push(write)
    if (mustWriteMeta || !batch.rooms.has(room)) batch.rooms.set(room, mustWriteMeta)
    if (this.#inFlight) return
    if (batch.writes.length >= batchMaxWrites) this.#writeBatch()
    else this.#timer ??= setTimeout(() => this.#writeBatch(), batchDelayMs)
  }

  /**
   * Writes what is queued without waiting for the batch delay; resolves once everything queued
   * so far is in LevelDB (or, for writes that are not retried, has failed).
   */
  writeNow(): Promise<void> {
    const batch = this.#pending
    if (!batch) return this.#inFlight?.done ?? Promise.resolve()
    batch.isUrgent = true
    if (!this.#inFlight) this.#writeBatch()
    return batch.done
  }

  /** Whether a write of `room` waits to be written or is being written. */
  holds(room: string): boolean {
    return (this.#pending?.rooms.has(room) ?? false) || (this.#inFlight?.rooms.has(room) ?? false)
  }

  /**
   * Like `writeNow`, but rejects instead of waiting for retries: at once while LevelDB writes
   * fail, else as soon as a batch holding what is queued fails.
   */
  attemptNow(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure)
    const pending = this.#pending
    if (!pending) return this.#inFlight?.attempt ?? Promise.resolve()
    void this.writeNow()
    return pending.attempt
  }

  #writeBatch(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const batch = this.#pending
    if (!batch) return
    this.#pending = null
    this.#inFlight = batch
    const operations = batch.writes.flatMap((write) => write.operations)
    operations.push(...this.#options.metaOperations(batch.rooms))
    this.#options.database.batch(operations, this.#options.syncWrites).then(
      () => this.#batchDone(batch, undefined),
      (error: unknown) => this.#batchDone(batch, error as Error),
    )
  }

  #batchDone(batch: Batch<W>, error: Error | undefined): void {
    this.#inFlight = null
    this.#failure = error ?? null
    batch.settleAttempt(error)
    if (error) this.#batchFailed(batch, error)
    else this.#batchWritten(batch)
    const next = this.#pending
    if (next && !error && (next.isUrgent || next.writes.length >= batchMaxWrites)) {
      this.#writeBatch()
    } else if (next && !this.#timer) {
      this.#timer = setTimeout(() => this.#writeBatch(), error ? retryDelayMs : batchDelayMs)
    }
  }

  #batchWritten(batch: Batch<W>): void {
    for (const write of batch.writes) {
      this.#options.written(write)
      write.settle?.(undefined)
    }
    batch.markDone()
  }

  // Acknowledged writes go into the next batch, ahead of the writes queued since, so that a
  // later compaction's deletes still come after the puts they cover. The others fail.
  #batchFailed(batch: Batch<W>, error: Error): void {
    this.#options.onProblem(
      'a LevelDB write failed; appends are kept in the write-ahead log and retried',
      error,
    )
    const retry = (this.#pending ??= newBatch())
    const retried = batch.writes.filter((write) => write.settle === null)
    retry.writes.unshift(...retried)
    for (const write of batch.writes) write.settle?.(error)
    // The failed batch's metadata records were not written: the retry writes them all.
    for (const room of batch.rooms.keys()) retry.rooms.set(room, true)
    retry.isUrgent ||= batch.isUrgent
    retry.settleAttempt(error)
    batch.markDone(retry.done)
  }
}
