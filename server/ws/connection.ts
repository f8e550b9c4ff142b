// One WebSocket connection to a room: decodes its frames, hands them to the room, sends the
// room's messages back with a bound on buffering, and answers heartbeats.
import type { RawData } from 'ws'
import type { ConnectionSocket } from './connection-socket.js'
import { CloseCode, truncateCloseReason } from '../../protocol/close-codes.js'
import { CollabError } from '../../protocol/collab-error.js'
import { readClientMessage, writePermissionDenied } from '../../protocol/message.js'
import type { ConnectionOrigin, ConnectionSummary } from '../events.js'
import type { Logger } from '../logger.js'
import { FrameBudget, type RateLimits } from '../limits/frame-budget.js'
import type { ServerLimits } from '../options.js'
import type { Room } from '../rooms/room.js'
import type { RoomMember, RoomMessage } from '../rooms/room-member.js'
import { type FrameEncoder, type OutgoingFrame, frameOf, sendFrame } from './outgoing-frame.js'
import { StoredAcks } from './stored-acks.js'
import type { MessageKind, Traffic } from './traffic.js'

/** Limits a connection enforces itself. */
export type ConnectionLimits = Pick<ServerLimits, 'maxBufferedBytes' | 'maxAwarenessBytes'> &
  RateLimits

/** What a connection shares with the others of its server. */
export interface ConnectionContext {
  readonly limits: ConnectionLimits
  readonly frames: FrameEncoder
  /** The server's counts of messages and bytes, by type. */
  readonly traffic: Traffic
  /** Called once the socket has closed and the connection has left its room. */
  readonly onClosed: (connection: Connection, summary: ConnectionSummary) => void
}

/** Turns anything thrown while handling a frame into the error that closes the connection. */
function asCollabError(error: unknown): CollabError {
  if (error instanceof CollabError) return error
  return new CollabError('COLLAB_INTERNAL', CloseCode.internalError, 'internal server error', {
    cause: error,
  })
}

/**
 * A client connection in one room. Joins the room on construction and leaves it when the socket
 * closes, then calls `onClosed` so the server can release the room.
 */
export class Connection implements RoomMember {
  readonly room: Room
  readonly origin: ConnectionOrigin
  /** Cleared at each heartbeat, set again by the pong; a connection found cleared is dropped. */
  isAlive = true
  readonly #socket: ConnectionSocket
  readonly #context: ConnectionContext
  readonly #logger: Logger
  /** What the connection may still send (server/limits/frame-budget.ts). */
  readonly #budget: FrameBudget
  #isClosing = false
  #wasToldReadOnly = false
  /** The code the server closed the socket with, if it did. */
  #closeCode: number | undefined
  /** Set when the client asked to be told which of its updates are stored (§6). */
  readonly #storedAcks: StoredAcks | undefined
  readonly #openedAtMs = performance.now()
  #messagesReceived = 0
  #bytesReceived = 0
  #messagesSent = 0
  #bytesSent = 0

  /** `acknowledgesStored`: the client asked for acknowledgements of its stored updates. */
  constructor(
    socket: ConnectionSocket,
    room: Room,
    origin: ConnectionOrigin,
    context: ConnectionContext,
    acknowledgesStored = false,
  ) {
    this.#budget = new FrameBudget(context.limits, performance.now())
    this.#socket = socket
    this.room = room
    this.origin = origin
    this.#context = context
    this.#logger = room.logger
    socket.on('message', (data, isBinary) => this.#receive(data, isBinary))
    socket.on('pong', () => {
      this.isAlive = true
    })
    socket.on('error', (error) => {
      this.#logger.info({ err: error }, 'connection error')
    })
    socket.on('close', (code) => {
      this.#isClosing = true
      room.leave(this)
      context.onClosed(this, {
        connection: origin,
        code: this.#closeCode ?? code,
        durationMs: performance.now() - this.#openedAtMs,
        messagesReceived: this.#messagesReceived,
        bytesReceived: this.#bytesReceived,
        messagesSent: this.#messagesSent,
        bytesSent: this.#bytesSent,
      })
    })
    room.join(this)
    this.#storedAcks = acknowledgesStored
      ? new StoredAcks((ack) => {
          if (!this.#isClosing) this.#send('storedAck', frameOf(ack))
        })
      : undefined
  }

  get userId(): string {
    return this.origin.principal.userId
  }

  deliver(message: RoomMessage): void {
    if (this.#isClosing) return
    if (this.#isBacklogged()) {
      this.fail(this.#slowConsumer())
      return
    }
    const frame = this.#context.frames.frameFor(message)
    // A frame larger than the bound passes it alone: it is queued only behind nothing, that is for
    // a connection that has taken everything sent so far. Frames are shared between connections,
    // so a connection that then stops reading holds no memory of its own.
    if (
      frame.wire.length > this.#context.limits.maxBufferedBytes &&
      this.#socket.bufferedAmount > 0
    ) {
      this.fail(this.#slowConsumer())
      return
    }
    this.#send(message.kind, frame)
    if (message.kind === 'awareness') this.#budget.creditEcho(message.update.length)
  }

  fail(error: CollabError): void {
    if (this.#isClosing) return
    this.#isClosing = true
    const level = error.closeCode === CloseCode.internalError ? 'error' : 'warn'
    this.#logger[level](
      { code: error.code, closeCode: error.closeCode, err: error.cause },
      error.message,
    )
    this.#close(error.closeCode, truncateCloseReason(error.message))
  }

  // Logged every time, told once: a client retries its updates on every sync.
  denyUpdate(reason: string): void {
    this.#logger.warn({ userId: this.origin.principal.userId, reason }, 'refused an update')
    if (this.#wasToldReadOnly || this.#isClosing) return
    this.#wasToldReadOnly = true
    this.#send('auth', frameOf(writePermissionDenied(reason)))
  }

  /** Closes the connection with 4401 once its principal's credential has expired. */
  closeIfExpired(nowMs: number): void {
    const { expiresAtMs } = this.origin.principal
    if (expiresAtMs === undefined || nowMs < expiresAtMs) return
    this.fail(
      new CollabError(
        'COLLAB_TOKEN_EXPIRED',
        CloseCode.credentialsExpired,
        'token expired; reconnect with a fresh one',
      ),
    )
  }

  /** Closes the connection with 4403: its user's credentials were revoked. */
  closeForRevocation(): void {
    this.fail(new CollabError('COLLAB_REVOKED', CloseCode.forbidden, 'access revoked'))
  }

  /** Closes the connection because the server is shutting down. */
  closeForShutdown(): void {
    if (this.#isClosing) return
    this.#isClosing = true
    this.#close(CloseCode.serviceRestart, 'server restarting; reconnect')
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

  #send(kind: MessageKind, frame: OutgoingFrame): void {
    const bytes = frame.wire.length - frame.messageOffset
    this.#messagesSent++
    this.#bytesSent += bytes
    this.#context.traffic.sent(kind, bytes)
    sendFrame(this.#socket, frame)
  }

  #close(code: number, reason: string): void {
    this.#closeCode = code
    this.#socket.close(code, reason)
  }

  /** Whether more is waiting to be sent than the bound allows: nothing new may be queued. */
  #isBacklogged(): boolean {
    return this.#socket.bufferedAmount > this.#context.limits.maxBufferedBytes
  }

  #slowConsumer(): CollabError {
    const { maxBufferedBytes } = this.#context.limits
    return new CollabError(
      'COLLAB_SLOW_CONSUMER',
      CloseCode.tryAgainLater,
      `connection too slow: more than ${maxBufferedBytes} bytes waiting to be sent`,
    )
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
    const message = readClientMessage(bytes)
    this.#messagesReceived++
    this.#bytesReceived += bytes.length
    this.#context.traffic.received(message.kind, bytes.length)
    const nowMs = performance.now()
    // An awareness frame is charged once the room has said whether it changed anything.
    if (message.kind !== 'awareness') this.#budget.charge(bytes.length, nowMs)
    switch (message.kind) {
      case 'syncStep1':
        // Checked before the answer is encoded: it may be as large as the document.
        if (this.#isBacklogged()) throw this.#slowConsumer()
        this.room.receiveSyncStep1(this, message.stateVector)
        return
      case 'syncStep2':
      case 'syncUpdate': {
        const write = this.room.receiveUpdate(this, message.update)
        this.#storedAcks?.received(write)
        return
      }
      case 'awareness': {
        const { maxAwarenessBytes } = this.#context.limits
        if (message.update.length > maxAwarenessBytes) {
          throw new CollabError(
            'COLLAB_LIMIT',
            CloseCode.messageTooBig,
            `awareness update of ${message.update.length} bytes exceeds the ${maxAwarenessBytes}-byte limit`,
          )
        }
        // A frame that changes nothing and is refused nothing is a stock client's echo of what
        // the room sent it. The room throws 1008 at a sender's third refused frame.
        if (this.room.receiveAwareness(this, message.update)) {
          this.#budget.charge(bytes.length, nowMs)
        } else {
          this.#budget.chargeEcho(bytes.length, nowMs)
        }
        return
      }
      case 'queryAwareness':
        if (this.#isBacklogged()) throw this.#slowConsumer()
        this.room.receiveQueryAwareness(this)
        return
    }
  }
}
