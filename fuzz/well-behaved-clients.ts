// The well-behaved side of a run: two writers in each writers' document, each replaying the trace
// into its own Y.Text, paced by the run's progress so that the content is the same for every
// run; and one bystander in each hostile document, which reads whatever the server relays.
import * as Y from 'yjs'
import type { TraceTransaction } from '../test/helpers/trace.js'
import { pollUntil } from './deadlines.js'
import { type ClientIdentity, WellBehavedClient } from './well-behaved-client.js'

const writersPerRoom = 2
// Bystanders' Yjs client ids; they never write, but their ids must not be a writer's.
const firstBystanderId = 1_000

/** Room name of writers' document `index`. */
export function writerRoomName(index: number): string {
  return `fuzz-writer-${index}`
}

/** Identities of the writers of `rooms` documents (Yjs client ids 1, 2, …), replaying `transactions`. */
export function writerIdentities(
  rooms: number,
  transactions: readonly TraceTransaction[] = [],
): ClientIdentity[] {
  return Array.from({ length: rooms * writersPerRoom }, (_, index) => ({
    room: writerRoomName(Math.floor(index / writersPerRoom)),
    clientId: index + 1,
    writes: { textName: `text-${index % writersPerRoom}`, transactions },
    presenceJson: JSON.stringify({ user: { name: `writer ${index + 1}`, color: '#3a6' } }),
  }))
}

/** Same state vector and same delete set: the same content. */
export function sameState(a: Y.Doc, b: Y.Doc): boolean {
  return Y.equalSnapshots(Y.snapshot(a), Y.snapshot(b))
}

/** The connected writers and bystanders of a run. */
export class WellBehavedClients {
  readonly writers: readonly WellBehavedClient[]
  readonly bystanders: readonly WellBehavedClient[]
  readonly #transactions: number

  private constructor(
    writers: readonly WellBehavedClient[],
    bystanders: readonly WellBehavedClient[],
    transactions: number,
  ) {
    this.writers = writers
    this.bystanders = bystanders
    this.#transactions = transactions
  }

  /**
   * Connects the writers of `writerRooms` documents and a bystander in each hostile room, which
   * reports an update it cannot apply to `onUnappliedUpdate`.
   */
  static async connect(
    url: string,
    writerRooms: number,
    hostileRooms: readonly string[],
    transactions: readonly TraceTransaction[],
    timeoutMs: number,
    onUnappliedUpdate: (room: string, update: Uint8Array, error: Error) => void,
  ): Promise<WellBehavedClients> {
    const connect = (identity: ClientIdentity) =>
      WellBehavedClient.connect(url, identity, timeoutMs)
    const writers = await Promise.all(writerIdentities(writerRooms, transactions).map(connect))
    const bystanders = await Promise.all(
      hostileRooms.map((room, index) =>
        connect({
          room,
          clientId: firstBystanderId + index,
          onUnappliedUpdate: (update, error) => onUnappliedUpdate(room, update, error),
        }),
      ),
    )
    return new WellBehavedClients(writers, bystanders, transactions.length)
  }

  /** Every client. */
  get all(): WellBehavedClient[] {
    return [...this.writers, ...this.bystanders]
  }

  /** Lets every writer catch up with the run's progress (0 to 1). */
  advance(progress: number): void {
    const count = Math.floor(Math.min(1, progress) * this.#transactions)
    for (const writer of this.writers) writer.advanceTo(count)
  }

  writersOf(room: string): WellBehavedClient[] {
    return this.writers.filter((writer) => writer.identity.room === room)
  }

  bystanderOf(room: string): WellBehavedClient | undefined {
    return this.bystanders.find((bystander) => bystander.identity.room === room)
  }

  /**
   * Waits until the writers of each document hold the same state (every update relayed, so
   * durable). Rejects when they do not within `timeoutMs`.
   */
  async converge(timeoutMs: number): Promise<void> {
    const isConverged = (): boolean =>
      this.writers.every((writer) =>
        this.writersOf(writer.identity.room).every((other) => sameState(writer.doc, other.doc)),
      )
    await pollUntil(isConverged, timeoutMs, "convergence of the writers' documents")
  }

  /** Closes every connection; the documents stay for the end checks. */
  async leave(timeoutMs: number): Promise<void> {
    await Promise.all(this.all.map((client) => client.leave(timeoutMs)))
  }
}
