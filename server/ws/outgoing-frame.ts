// Frames the server sends. A message relayed to a whole room is encoded and framed for WebSocket
// once, and the same bytes are written to every socket, instead of ws framing it again for each.
// A frame is built in one allocation, the payload copied once: a sync answer may be as large as
// the document.
import type { Socket } from 'node:net'
import { WebSocket } from 'ws'
import { messageTags, writeMessageHead } from '../../protocol/message.js'
import type { RoomMessage } from '../rooms/room-member.js'
import type { ConnectionSocket } from './connection-socket.js'

/** One message on its way to one or more connections, framed for WebSocket. */
export interface OutgoingFrame {
  /** The complete WebSocket frame: its header, then the message. */
  readonly wire: Buffer
  /** Where the message starts in `wire`. */
  readonly messageOffset: number
}

// An unmasked, final, binary WebSocket frame (RFC 6455 §5.2) of `head` then `body`: what ws itself
// would write for the message head + body.
function frameBinary(head: Uint8Array, body: Uint8Array): OutgoingFrame {
  const length = head.byteLength + body.byteLength
  const headerBytes = length < 126 ? 2 : length < 65536 ? 4 : 10
  const wire = Buffer.allocUnsafe(headerBytes + length)
  wire[0] = 0x82
  if (headerBytes === 2) {
    wire[1] = length
  } else if (headerBytes === 4) {
    wire[1] = 126
    wire.writeUInt16BE(length, 2)
  } else {
    wire[1] = 127
    wire.writeBigUInt64BE(BigInt(length), 2)
  }
  wire.set(head, headerBytes)
  wire.set(body, headerBytes + head.byteLength)
  return { wire, messageOffset: headerBytes }
}

const noBytes = new Uint8Array(0)

/** The frame of a message the caller encoded whole (small ones: auth replies). */
export const frameOf = (message: Uint8Array): OutgoingFrame => frameBinary(message, noBytes)

function frameRoomMessage(message: RoomMessage): OutgoingFrame {
  const payload = message.kind === 'syncStep1' ? message.stateVector : message.update
  const tags = message.kind === 'update' ? messageTags.syncUpdate : messageTags[message.kind]
  return frameBinary(writeMessageHead(tags, payload.byteLength), payload)
}

/**
 * Turns room messages into frames. A broadcast hands the same message to every member in turn, so
 * remembering the last one encodes it once for all of them. A sync answer is remembered while its
 * message lives: a room answers everyone who asks with nothing in common with the same message
 * (the document's full state), and it is framed once however many ask.
 */
export class FrameEncoder {
  #lastMessage: RoomMessage | null = null
  #lastFrame: OutgoingFrame | null = null
  readonly #answers = new WeakMap<RoomMessage, OutgoingFrame>()

  /** The frame of `message`, shared with the other receivers of the same message. */
  frameFor(message: RoomMessage): OutgoingFrame {
    if (message === this.#lastMessage && this.#lastFrame) return this.#lastFrame
    if (message.kind === 'syncStep2') {
      let answer = this.#answers.get(message)
      if (!answer) this.#answers.set(message, (answer = frameRoomMessage(message)))
      return answer
    }
    const frame = frameRoomMessage(message)
    if (message.kind === 'update' || message.kind === 'awareness') {
      this.#lastMessage = message
      this.#lastFrame = frame
    }
    return frame
  }
}

// The parts of ws's WebSocket that the fast path relies on. ws is pinned in package.json; if a
// later version changes them, `canWriteDirectly` turns false and every frame goes through ws.
interface WebSocketInternals {
  _socket?: Socket
  _sender?: { _state?: number; _queue?: unknown[] }
}

const senderIdle = 0

/** True when ws has nothing queued for this socket, so bytes written now keep their order. */
function canWriteDirectly(internals: WebSocketInternals): boolean {
  const sender = internals._sender
  return (
    sender?._state === senderIdle && sender._queue?.length === 0 && internals._socket !== undefined
  )
}

/**
 * Sends a frame on an open WebSocket. Writes the frame's shared wire bytes when ws is idle for
 * this socket (server frames are never masked and compression is off, so the bytes are the same
 * for every receiver); falls back to `socket.send` of the message otherwise.
 */
export function sendFrame(socket: ConnectionSocket, frame: OutgoingFrame): void {
  if (socket.readyState !== WebSocket.OPEN) return
  const internals = socket as unknown as WebSocketInternals
  if (canWriteDirectly(internals)) internals._socket!.write(frame.wire)
  else socket.send(frame.wire.subarray(frame.messageOffset))
}
