// One WebSocket connection to a room: decodes its frames, hands them to the room, sends the
// room's frames back with a bound on buffering, and answers heartbeats.
import type { RawData, WebSocket } from 'ws'
import { CloseCode, truncateCloseReason } from '../protocol/close-codes.js'
import { CollabError } from '../protocol/collab-error.js'
import { readFrame } from '../protocol/message.js'
import type { Logger } from './logger.js'
import type { ServerLimits } from './options.js'
import { type OutgoingFrame, writeFrame } from './outgoing-frame.js'
import type { Room, RoomMember } from './room.js'

/** Limits a connection enforces itself. */
export type ConnectionLimits = Pick<ServerLimits, 'maxBufferedBytes' | 'maxAwarenessBytes'>

/** Turns anything thrown while handling a frame into the error that closes the connection. */
function asCollabError(error: unknown): CollabError {
  if (error instanceof CollabError) return error
  return new CollabError('COLLAB_INTERNAL', CloseCode.internalError, 'internal server error', {
    cause: error,
  })
}

/**
 * A client connection in one room. Joins the room on construction and leaves it when the socket
 * closes, calling `onClosed` so the server can release the room.
 */
export class Connection implements RoomMember {
  readonly room: Room
  /** Cleared at each heartbeat, set again by the pong; a connection found cleared is dropped. */
  isAlive = true
  readonly #socket: WebSocket
  readonly #limits: ConnectionLimits
  readonly #logger: Logger
  #isClosing = false

  constructor(
    socket: WebSocket,
    room: Room,
    limits: ConnectionLimits,
    logger: Logger,
    onClosed: (connection: Connection) => void,
  ) {
    this.#socket = socket
    this.room = room
    this.#limits = limits
    this.#logger = logger
    socket.on('message', (data, isBinary) => this.#receive(data, isBinary))
    socket.on('pong', () => {
      this.isAlive = true
    })
    socket.on('error', (error) => {
      this.#logger.info({ err: error }, 'connection error')
    })
    socket.on('close', (code, reason) => {
      this.#isClosing = true
      this.#logger.debug({ code, reason: reason.toString() }, 'connection closed')
      room.leave(this)
      onClosed(this)
    })
    room.join(this)
  }

  send(frame: OutgoingFrame): void {
    if (this.#isClosing) return
    // The bound applies to the backlog, not to the frame: one large update must still go out.
    if (this.#socket.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.fail(
        new CollabError(
          'COLLAB_SLOW_CONSUMER',
          CloseCode.tryAgainLater,
          `connection too slow: more than ${this.#limits.maxBufferedBytes} bytes waiting to be sent`,
        ),
      )
      return
    }
    writeFrame(this.#socket, frame)
  }

  fail(error: CollabError): void {
    if (this.#isClosing) return
    this.#isClosing = true
    const level = error.closeCode === CloseCode.internalError ? 'error' : 'warn'
    this.#logger[level](
      { code: error.code, closeCode: error.closeCode, err: error.cause },
      error.message,
    )
    this.#socket.close(error.closeCode, truncateCloseReason(error.message))
  }

  /** Closes the connection because the server is shutting down. */
  closeForShutdown(): void {
    if (this.#isClosing) return
    this.#isClosing = true
    this.#socket.close(CloseCode.goingAway, 'server shutting down')
  }

  /** Heartbeat tick: drops the connection if the last ping went unanswered, else pings again. */
  checkAlive(): void {
    if (!this.isAlive) {
      this.#logger.info('no pong since the last heartbeat; dropping the connection')
      this.#isClosing = true
      this.#socket.terminate()
      return
    }
    this.isAlive = false
    this.#socket.ping()
  }

  /** Drops the socket without a closing handshake (shutdown deadline passed). */
  terminate(): void {
    this.#isClosing = true
    this.#socket.terminate()
  }

  #receive(data: RawData, isBinary: boolean): void {
    if (this.#isClosing) return
    try {
      if (!isBinary) {
        throw new CollabError(
          'COLLAB_UNKNOWN_MESSAGE',
          CloseCode.unsupportedData,
          'text frames are not supported; send binary y-websocket frames',
        )
      }
      this.#dispatch(data as Buffer)
    } catch (error) {
      this.fail(asCollabError(error))
    }
  }

  #dispatch(bytes: Uint8Array): void {
    const frame = readFrame(bytes)
    switch (frame.kind) {
      case 'syncStep1':
        this.room.receiveSyncStep1(this, frame.stateVector)
        return
      case 'syncStep2':
        this.room.receiveUpdate(this, frame.update, undefined)
        return
      case 'syncUpdate':
        this.room.receiveUpdate(this, frame.update, bytes)
        return
      case 'awareness':
        if (frame.update.length > this.#limits.maxAwarenessBytes) {
          throw new CollabError(
            'COLLAB_LIMIT',
            CloseCode.messageTooBig,
            `awareness update of ${frame.update.length} bytes exceeds the ${this.#limits.maxAwarenessBytes}-byte limit`,
          )
        }
        this.room.receiveAwareness(this, frame.update, bytes)
        return
      case 'queryAwareness':
        this.room.receiveQueryAwareness(this)
        return
    }
  }
}
