// On the owner of a document, the socket of a connection that another instance forwards: what
// the connection sends goes over the link, what the link brings arrives as the socket's messages.
// The connection (server/ws/connection.ts) cannot tell it from a WebSocket.
import { EventEmitter } from 'node:events'
import { WebSocket } from 'ws'
import { CloseCode } from '../../protocol/close-codes.js'
import type { Link, LinkPeer } from '../cluster.js'
import type { ConnectionSocket } from '../ws/connection-socket.js'

/** A socket over `link`; frames that arrive before `start` wait, up to `maxEarlyBytes`. */
export class LinkedSocket extends EventEmitter implements ConnectionSocket {
  readyState: number = WebSocket.OPEN
  /** Receives what the other end sends; hand it to the link. */
  readonly peer: LinkPeer
  readonly #link: Link
  #early: Buffer[] | undefined = []
  #earlyBytes = 0
  readonly #maxEarlyBytes: number

  constructor(link: Link, maxEarlyBytes: number) {
    super()
    this.#link = link
    this.#maxEarlyBytes = maxEarlyBytes
    this.peer = {
      frame: (frame) => this.#received(Buffer.from(frame)),
      closed: (code) => this.#ended(code),
    }
  }

  /** False once either end closed the link. */
  get isOpen(): boolean {
    return this.readyState === WebSocket.OPEN
  }

  get bufferedAmount(): number {
    return this.#link.bufferedBytes
  }

  /** A connection listens now: the frames that came meanwhile are delivered, in order. */
  start(): void {
    const early = this.#early ?? []
    this.#early = undefined
    for (const frame of early) this.emit('message', frame, true)
  }

  send(data: Uint8Array): void {
    if (this.readyState === WebSocket.OPEN) this.#link.send(data)
  }

  close(code: number, reason: string): void {
    if (this.readyState !== WebSocket.OPEN) return
    this.#link.close(code, reason)
    this.#ended(code)
  }

  terminate(): void {
    this.close(CloseCode.serviceRestart, 'connection dropped')
  }

  // The other end answers for the client; the bus tells of an instance that died.
  ping(): void {
    queueMicrotask(() => this.emit('pong'))
  }

  #received(frame: Buffer): void {
    if (this.readyState !== WebSocket.OPEN) return
    if (!this.#early) {
      this.emit('message', frame, true)
      return
    }
    this.#earlyBytes += frame.length
    this.#early.push(frame)
    if (this.#earlyBytes > this.#maxEarlyBytes) {
      this.close(CloseCode.tryAgainLater, 'too much sent before the document was open')
    }
  }

  // Like ws, 'close' comes after the call that closed it, never inside it.
  #ended(code: number): void {
    if (this.readyState === WebSocket.CLOSED) return
    this.readyState = WebSocket.CLOSED
    this.#early = undefined
    queueMicrotask(() => this.emit('close', code))
  }
}
