// The order in which the LevelDB store's writes reach LevelDB: the batcher, turns for the tasks
// of a room that read before they write (loads, deletes, imports, version writes), and writes
// that are not retried. Imports nothing from server/.
import { Batcher, type BatcherOptions, type BatchWrite } from './batcher.js'
import type { BatchOperation } from './database.js'
import type { WalFile } from './write-ahead-log.js'

/** An append, compaction or other write in the batcher; an append's file is told once stored. */
export interface StoreWrite extends BatchWrite {
  walFile: WalFile | null
}

/** What a write queue is given by its store. */
export interface WriteQueueOptions extends BatcherOptions<StoreWrite> {
  /** Throws once the store is closing: nothing may reach LevelDB after it closed. */
  assertOpen: () => void
}

/** The writes of one store; the store owns it. */
export class WriteQueue {
  readonly #batcher: Batcher<StoreWrite>
  readonly #assertOpen: () => void
  /** The last task of each room under way in `inTurn`; it never rejects. */
  readonly #turns = new Map<string, Promise<void>>()

  constructor(options: WriteQueueOptions) {
    this.#batcher = new Batcher(options)
    this.#assertOpen = options.assertOpen
  }

  /** Adds a write to the next batch (the store checked it is open); see `Batcher.queue`. */
  queue(room: string, write: StoreWrite, mustWriteMeta: boolean): void {
    this.#batcher.queue(room, write, mustWriteMeta)
  }

  /** Writes what is queued now; resolves once it is in LevelDB, retries included. */
  writeNow(): Promise<void> {
    return this.#batcher.writeNow()
  }

  /**
   * Resolves once what is queued (for `room` only, when given) is in LevelDB. While LevelDB
   * writes fail it rejects at once, with `failure` as its message, instead of waiting.
   */
  async settle(room: string | null, failure: string): Promise<void> {
    if (room !== null && !this.#batcher.holds(room)) return
    await this.#batcher.attemptNow().catch((error: unknown) => {
      throw new Error(failure, { cause: error })
    })
  }

  /**
   * Runs `task` once the tasks of `room` begun before it have settled, so that each reads and
   * queues its batch in call order; the tasks of different rooms run side by side. A task that
   * queues a write returns it in an object (`write`), so that its turn ends once it is queued.
   */
  inTurn<T>(room: string, task: () => Promise<T>): Promise<T> {
    const result = (this.#turns.get(room) ?? Promise.resolve()).then(task)
    const turn = result.then(
      () => undefined,
      () => undefined,
    )
    this.#turns.set(room, turn)
    void turn.then(() => {
      if (this.#turns.get(room) === turn) this.#turns.delete(room)
    })
    return result
  }

  /**
   * Queues a write that is not retried and has it written now. `written` resolves once it is in
   * LevelDB, or rejects with the error of its batch. Throws once the store is closing.
   */
  write(room: string, operations: BatchOperation[]): { written: Promise<void> } {
    this.#assertOpen()
    const written = new Promise<void>((resolve, reject) => {
      const settle = (error: Error | undefined): void => (error ? reject(error) : resolve())
      this.#batcher.queue(room, { operations, walFile: null, settle }, false)
    })
    void this.#batcher.writeNow()
    return { written }
  }

  /** `write` in the room's turn; resolves once the write is in LevelDB. */
  async writeInTurn(room: string, operations: BatchOperation[]): Promise<void> {
    const { written } = await this.inTurn(room, () => Promise.resolve(this.write(room, operations)))
    return written
  }
}
