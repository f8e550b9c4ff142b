// A well-behaved client: a real Y.Doc speaking the y-websocket protocol as the stock client does
// (sync step 1 and 2, one update frame per transaction, a presence state). A writer replays trace
// transactions into its own Y.Text; a bystander only reads. Neither may ever be closed by the
// server, nor be sent anything its Y.Doc cannot apply.
import * as Y from 'yjs'
import { writeAwarenessUpdate } from '../protocol/awareness-codec.js'
import {
  readClientMessage,
  writeAwareness,
  writeSyncStep1,
  writeSyncStep2,
  writeSyncUpdate,
} from '../protocol/message.js'
import { type TraceTransaction, applyTraceTransaction } from '../test/helpers/trace.js'
import { withDeadline } from './deadlines.js'
import { type RoomSocket, openRoomSocket } from './room-socket.js'

/** Told of an update from the server that the client's Y.Doc could not apply. */
export type OnUnappliedUpdate = (update: Uint8Array, error: Error) => void

/** Who a client is: its document, its Yjs client id (also its awareness id), what it writes. */
export interface ClientIdentity {
  readonly room: string
  readonly clientId: number
  /** The Y.Text it alone writes (e.g. `text-0`), with the transactions it replays into it. */
  readonly writes?: {
    readonly textName: string
    readonly transactions: readonly TraceTransaction[]
  }
  /** Its presence state, announced once on connecting. */
  readonly presenceJson?: string
  /** Where an update it cannot apply is reported; a problem of its own if not set. */
  readonly onUnappliedUpdate?: OnUnappliedUpdate
}

const fromServer = Symbol('from the server')
const hexBytes = 64
const keptProblems = 10

/** A connected client. `problems` lists what went wrong with its connection (none, normally). */
export class WellBehavedClient {
  readonly identity: ClientIdentity
  readonly doc = new Y.Doc()
  /** What went wrong, the first few. */
  readonly problems: string[] = []
  /** Updates from the server its Y.Doc could not apply. */
  unappliedUpdates = 0
  #applied = 0
  #connection: RoomSocket | undefined
  #isLeaving = false
  #markSynced: () => void = () => undefined
  /** Resolves once the server has answered the client's sync step 1. */
  readonly #synced = new Promise<void>((resolve) => (this.#markSynced = resolve))

  private constructor(identity: ClientIdentity) {
    this.identity = identity
    this.doc.clientID = identity.clientId
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== fromServer) this.#connection?.socket.send(writeSyncUpdate(update))
    })
  }

  /** Connects, syncs and announces its presence; resolves once the server answered its step 1. */
  static async connect(
    url: string,
    identity: ClientIdentity,
    timeoutMs: number,
  ): Promise<WellBehavedClient> {
    const client = new WellBehavedClient(identity)
    const connection = await openRoomSocket(
      url,
      identity.room,
      (frame) => client.#receive(frame),
      timeoutMs,
    )
    client.#connection = connection
    void connection.closed.then((closed) => {
      if (!client.#isLeaving) {
        client.#problem(`closed by the server with ${closed.code} "${closed.reason}"`)
      }
    })
    connection.socket.send(writeSyncStep1(Y.encodeStateVector(client.doc)))
    if (identity.presenceJson !== undefined) {
      const entry = { clientId: identity.clientId, clock: 1, stateJson: identity.presenceJson }
      connection.socket.send(writeAwareness(writeAwarenessUpdate([entry])))
    }
    const closedFirst = connection.closed.then((closed) => {
      throw new Error(`closed with ${closed.code} "${closed.reason}" before it synced`)
    })
    await withDeadline(
      Promise.race([client.#synced, closedFirst]),
      timeoutMs,
      `sync of client ${identity.clientId} in ${identity.room}`,
    )
    return client
  }

  /** Replays its transactions up to `count`, one update frame each. */
  advanceTo(count: number): void {
    const writes = this.identity.writes
    if (!writes) return
    const text = this.doc.getText(writes.textName)
    const end = Math.min(count, writes.transactions.length)
    for (; this.#applied < end; this.#applied++) {
      applyTraceTransaction(text, writes.transactions[this.#applied]!)
    }
  }

  /** Closes the connection; the document stays for the end checks. */
  async leave(timeoutMs: number): Promise<void> {
    this.#isLeaving = true
    const connection = this.#connection
    if (!connection || connection.closedWith()) return
    connection.socket.close(1000)
    try {
      await withDeadline(connection.closed, timeoutMs, 'close handshake')
    } catch {
      connection.socket.terminate()
    }
  }

  #receive(frame: Uint8Array): void {
    let message
    try {
      message = readClientMessage(frame)
    } catch (error) {
      this.#problem(`a server frame did not decode: ${(error as Error).message}`)
      return
    }
    switch (message.kind) {
      case 'syncStep1':
        this.#connection?.socket.send(
          writeSyncStep2(Y.encodeStateAsUpdate(this.doc, message.stateVector)),
        )
        return
      case 'syncStep2':
        this.#apply(message.update)
        this.#markSynced()
        return
      case 'syncUpdate':
        this.#apply(message.update)
        return
      case 'awareness':
      case 'queryAwareness':
        return
    }
  }

  #problem(problem: string): void {
    if (this.problems.length < keptProblems) this.problems.push(problem)
  }

  #apply(update: Uint8Array): void {
    try {
      Y.applyUpdate(this.doc, update, fromServer)
    } catch (error) {
      this.unappliedUpdates++
      if (this.identity.onUnappliedUpdate) {
        this.identity.onUnappliedUpdate(update, error as Error)
        return
      }
      const hex = Buffer.from(update.subarray(0, hexBytes)).toString('hex')
      this.#problem(
        `the server sent an update its Y.Doc cannot apply (${(error as Error).message}; ` +
          `${update.length} bytes: ${hex}${update.length > hexBytes ? '…' : ''})`,
      )
    }
  }
}
