// One load-generator connection to one room. With a Y.Doc it is a full sync client (sends its
// state, applies the server's); without one it is a light receiver that only reports updates.
import WebSocket from 'ws'
import * as Y from 'yjs'
import {
  readServerFrame,
  writeOpening,
  writeSyncStep1,
  writeSyncStep2,
  writeUpdate,
} from '../protocols.js'
import type { WireProtocol } from '../protocols.js'

// To measure ours with authentication on, run the bench with JWT_SECRET set (the server reads it)
// and COLLAB_BENCH_TOKEN holding a token signed with it: every client sends it.
const benchToken = process.env.COLLAB_BENCH_TOKEN
const tokenQuery = benchToken ? `?token=${encodeURIComponent(benchToken)}` : ''

/** Where and how to connect. */
export interface Target {
  /** ws://127.0.0.1:port, without a path. */
  baseUrl: string
  protocol: WireProtocol
  /** False for the raw relay: nothing answers a sync step 1, so a client is synced once open. */
  hasServerState: boolean
}

/** What a client is for: a document to keep in sync, or a callback for each received update. */
export interface ClientRole {
  doc?: Y.Doc
  onUpdate?: (update: Uint8Array) => void
}

const emptyStateVector = new Uint8Array([0])

/**
 * A connection to `room`. `synced` resolves once the server's state has arrived (the first sync
 * step 2), or once open on the raw relay; it rejects if the socket fails first.
 */
export class BenchClient {
  readonly room: string
  readonly synced: Promise<void>
  readonly #socket: WebSocket
  readonly #target: Target
  readonly #role: ClientRole
  #isClosed = false

  constructor(target: Target, room: string, role: ClientRole) {
    this.room = room
    this.#target = target
    this.#role = role
    this.#socket = new WebSocket(`${target.baseUrl}/${encodeURIComponent(room)}${tokenQuery}`, {
      perMessageDeflate: false,
    })
    this.#socket.binaryType = 'nodebuffer'
    this.synced = new Promise<void>((resolve, reject) => {
      this.#socket.once('error', reject)
      this.#socket.once('close', () =>
        reject(new Error(`connection to ${room} closed before sync`)),
      )
      this.#socket.once('open', () => {
        this.#open()
        if (!target.hasServerState) resolve()
      })
      this.#socket.on('message', (data: Buffer) => {
        if (this.#receive(data)) resolve()
      })
    })
    this.synced.catch(() => undefined)
    this.#socket.on('error', () => undefined)
    role.doc?.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== this) this.send(writeUpdate(target.protocol, room, update))
    })
  }

  /** Sends a frame if the socket is open. */
  send(frame: Uint8Array): void {
    if (!this.#isClosed && this.#socket.readyState === WebSocket.OPEN) this.#socket.send(frame)
  }

  /** Closes the connection and resolves once the socket has closed. */
  close(): Promise<void> {
    this.#isClosed = true
    if (this.#socket.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise((resolve) => {
      this.#socket.once('close', () => resolve())
      this.#socket.close()
    })
  }

  #open(): void {
    const { protocol } = this.#target
    for (const frame of writeOpening(protocol, this.room)) this.#socket.send(frame)
    const doc = this.#role.doc
    const stateVector = doc ? Y.encodeStateVector(doc) : emptyStateVector
    this.#socket.send(writeSyncStep1(protocol, this.room, stateVector))
  }

  /** Handles one frame; returns true when it is the server's sync step 2. */
  #receive(data: Buffer): boolean {
    const frame = readServerFrame(this.#target.protocol, data)
    const doc = this.#role.doc
    switch (frame.kind) {
      case 'syncStep1':
        // A light receiver holds nothing the server lacks, so it leaves the step 1 unanswered.
        if (doc) {
          const missing = Y.encodeStateAsUpdate(doc, frame.stateVector)
          this.send(writeSyncStep2(this.#target.protocol, this.room, missing))
        }
        return false
      case 'syncStep2':
      case 'update':
        if (doc) Y.applyUpdate(doc, frame.update, this)
        this.#role.onUpdate?.(frame.update)
        return frame.kind === 'syncStep2'
      case 'other':
        return false
    }
  }
}

/** Opens clients at most `concurrency` at a time and resolves once all are synced. */
export async function openAll<T>(
  items: T[],
  concurrency: number,
  open: (item: T) => BenchClient,
): Promise<BenchClient[]> {
  const clients: BenchClient[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const client = open(items[next++] as T)
      clients.push(client)
      await client.synced
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return clients
}

/** Closes every client. */
export async function closeAll(clients: BenchClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.close()))
}
