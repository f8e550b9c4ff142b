// Appends gathered into batches: every append made in one event-loop turn (and all made while a
// batch is being written) goes into the next batch, written as one statement, one batch at a time.
// The hot path appends every update before relaying it, so this makes the cost of a commit (a
// round trip and a WAL flush) shared by everything that arrived meanwhile. Imports only the
// interface's WriterFencedError.
import { WriterFencedError } from '../store.js'

/** A room's entries in a batch, in call order, with the writer epoch they were appended under. */
export interface RoomEntries {
  readonly room: string
  readonly epoch: number
  readonly updates: Uint8Array[]
}

/**
 * Writes a batch atomically and resolves with each written room's last sequence number after it
 * (its entries have the numbers just below, in order); a room missing from the map was fenced
 * (its epoch was no longer the room's), and none of its entries was written. Rejects when nothing
 * was written.
 */
export type WriteBatch = (rooms: readonly RoomEntries[]) => Promise<ReadonlyMap<string, number>>

/** Limits on one batch; appends beyond wait for the next. */
export interface BatchLimits {
  readonly maxEntries: number
  readonly maxBytes: number
}

/** A statement of a few MB is still quick; beyond, a batch waits on one big transfer. */
export const defaultBatchLimits: BatchLimits = { maxEntries: 2000, maxBytes: 8 * 1024 * 1024 }

interface PendingAppend {
  readonly room: string
  readonly epoch: number
  readonly update: Uint8Array
  readonly resolve: (seq: number) => void
  readonly reject: (error: unknown) => void
}

/**
 * Batches appends for `write`. The appends of a room resolve in call order, each once its batch
 * is written; a batch that fails rejects each of its appends, having written none; the appends of
 * a fenced room reject with WriterFencedError while the batch's other rooms are written.
 */
export class AppendBatcher {
  readonly #write: WriteBatch
  readonly #limits: BatchLimits
  #pending: PendingAppend[] = []
  #isScheduled = false
  #writing: Promise<void> | null = null

  constructor(write: WriteBatch, limits: BatchLimits = defaultBatchLimits) {
    this.#write = write
    this.#limits = limits
  }

  /**
   * Queues an update, appended under the writer epoch `epoch` of its store; resolves with its
   * sequence number once its batch is written.
   */
  append(room: string, epoch: number, update: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ room, epoch, update, resolve, reject })
      if (this.#isScheduled || this.#writing) return
      this.#isScheduled = true
      // After the I/O callbacks of this turn: the frames that arrived together go together.
      setImmediate(() => {
        this.#isScheduled = false
        this.#writeNext()
      })
    })
  }

  /** Resolves once every append made so far has been written or has failed. */
  async settled(): Promise<void> {
    while (this.#writing || this.#pending.length > 0) {
      if (!this.#writing) this.#writeNext()
      await this.#writing
    }
  }

  #writeNext(): void {
    if (this.#writing || this.#pending.length === 0) return
    const batch = this.#takeBatch()
    this.#writing = this.#writeBatch(batch).finally(() => {
      this.#writing = null
      // They have waited for this batch already: no need to wait for the end of a turn.
      this.#writeNext()
    })
  }

  #takeBatch(): PendingAppend[] {
    let bytes = 0
    let count = 0
    // At least one, however big.
    while (count < this.#pending.length && count < this.#limits.maxEntries) {
      bytes += this.#pending[count]!.update.length
      if (count > 0 && bytes > this.#limits.maxBytes) break
      count++
    }
    return this.#pending.splice(0, count)
  }

  async #writeBatch(batch: PendingAppend[]): Promise<void> {
    const byRoom = new Map<string, { epoch: number; appends: PendingAppend[] }>()
    for (const append of batch) {
      const group = byRoom.get(append.room)
      if (group?.epoch === append.epoch) group.appends.push(append)
      else {
        // A store's epoch for a room only rises (evicted, then loaded again), and its new claim
        // committed before any append made under it: the appends under the older one are fenced.
        for (const older of group?.appends ?? []) older.reject(new WriterFencedError(older.room))
        byRoom.set(append.room, { epoch: append.epoch, appends: [append] })
      }
    }
    const rooms = [...byRoom].map(([room, { epoch, appends }]) => ({
      room,
      epoch,
      updates: appends.map((append) => append.update),
    }))
    let lastSeqs: ReadonlyMap<string, number>
    try {
      lastSeqs = await this.#write(rooms)
    } catch (error) {
      for (const { appends } of byRoom.values()) for (const append of appends) append.reject(error)
      return
    }
    // A room's entries have the numbers just below its last, in order.
    for (const [room, { appends }] of byRoom) {
      const lastSeq = lastSeqs.get(room)
      for (const [i, append] of appends.entries()) {
        if (lastSeq === undefined) append.reject(new WriterFencedError(room))
        else append.resolve(lastSeq - appends.length + 1 + i)
      }
    }
  }
}
