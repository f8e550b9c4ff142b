// On an instance that does not own a document, a client connection to it: its frames go over a
// link to the owner, which runs the connection (checks, room, awareness, acknowledgements), and
// what the owner sends comes back to the client. This end keeps only what is the socket's own:
// the heartbeat, text frames, and the bound on what waits to be sent to a slow client.
import type { RawData, WebSocket } from 'ws'
import { CloseCode, truncateCloseReason } from '../../protocol/close-codes.js'
import type { Link, LinkPeer } from '../cluster.js'
import type { Logger } from '../logger.js'
import type { Pingable } from '../ws/heartbeat.js'

/** A client whose connection the owner of its document runs. */
export class ForwardedClient implements Pingable {
  readonly document: string
  readonly owner: string
  readonly userId: string
  /** Receives what the owner sends; hand it to the link. */
  readonly peer: LinkPeer
  #isAlive = true
  #socket: WebSocket | undefined
  #link: Link | undefined
  /** What the owner sent before the socket opened (its first sync step), in order. */
  #early: Uint8Array[] = []
  #ownerClose: { code: number; reason: string } | undefined
  #isClosed = false
  readonly #maxBufferedBytes: number
  readonly #logger: Logger
  readonly #onClosed: (client: ForwardedClient) => void

  constructor(
    document: string,
    owner: string,
    userId: string,
    maxBufferedBytes: number,
    logger: Logger,
    onClosed: (client: ForwardedClient) => void,
  ) {
    this.document = document
    this.owner = owner
    this.userId = userId
    this.#maxBufferedBytes = maxBufferedBytes
    this.#logger = logger
    this.#onClosed = onClosed
    this.peer = {
      frame: (frame) => this.#fromOwner(frame),
      closed: (code, reason) => this.#ownerClosed(code, reason),
    }
  }

  /** The link to the owner is up and the client's WebSocket open: start relaying both ways. */
  start(socket: WebSocket, link: Link): void {
    this.#socket = socket
    this.#link = link
    socket.on('message', (data, isBinary) => this.#fromClient(data, isBinary))
    socket.on('pong', () => {
      this.#isAlive = true
    })
    socket.on('error', (error) => this.#logger.info({ err: error }, 'connection error'))
    socket.on('close', () => {
      this.#isClosed = true
      link.close(CloseCode.serviceRestart, 'the client left')
      this.#onClosed(this)
    })
    for (const frame of this.#early.splice(0)) this.#fromOwner(frame)
    if (this.#ownerClose) this.#ownerClosed(this.#ownerClose.code, this.#ownerClose.reason)
  }

  /** Heartbeat tick: drops the client if it did not answer the last ping, else pings again. */
  checkAlive(): void {
    if (!this.#socket || this.#isClosed) return
    if (!this.#isAlive) {
      this.#logger.info('no pong since the last heartbeat; dropping the connection')
      this.#socket.terminate()
      return
    }
    this.#isAlive = false
    this.#socket.ping()
  }

  /** The server is shutting down: the client reconnects, through another instance. */
  closeForShutdown(): void {
    this.#closeClient(CloseCode.serviceRestart, 'server restarting; reconnect')
  }

  /** Closes the client with 4403: its user's credentials were revoked. */
  closeForRevocation(): void {
    this.#closeClient(CloseCode.forbidden, 'access revoked')
  }

  terminate(): void {
    this.#socket?.terminate()
  }

  #fromClient(data: RawData, isBinary: boolean): void {
    if (this.#isClosed) return
    if (!isBinary) {
      this.#closeClient(
        CloseCode.unsupportedData,
        'text frames are not supported; send binary y-websocket frames',
      )
      return
    }
    this.#link?.send(data as Buffer)
    if (this.#link && this.#link.bufferedBytes > this.#maxBufferedBytes) {
      this.#closeClient(CloseCode.tryAgainLater, 'the cluster bus is too slow; reconnect')
    }
  }

  #fromOwner(frame: Uint8Array): void {
    const socket = this.#socket
    if (!socket) {
      this.#early.push(frame)
      return
    }
    if (this.#isClosed) return
    if (socket.bufferedAmount > this.#maxBufferedBytes) {
      this.#closeClient(
        CloseCode.tryAgainLater,
        `connection too slow: more than ${this.#maxBufferedBytes} bytes waiting to be sent`,
      )
      return
    }
    socket.send(frame)
  }

  #ownerClosed(code: number, reason: string): void {
    if (!this.#socket) {
      this.#ownerClose = { code, reason }
      return
    }
    this.#closeClient(code, reason)
  }

  #closeClient(code: number, reason: string): void {
    if (this.#isClosed || !this.#socket) return
    this.#isClosed = true
    this.#link?.close(code, reason)
    this.#socket.close(sendableCode(code), truncateCloseReason(reason))
  }
}

/** A close code a WebSocket may send (RFC 6455 §7.4); any other becomes 1011. */
function sendableCode(code: number): number {
  const isSendable =
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  return isSendable ? code : CloseCode.internalError
}
