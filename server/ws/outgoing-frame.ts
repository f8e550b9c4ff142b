// Frames the server sends. A message relayed to a whole room is encoded and framed for WebSocket
// once, and the same bytes are written to every socket, instead of ws framing it again for each.
import type { Socket } from 'node:net'
import { WebSocket } from 'ws'
import {
  writeAwareness,
  writeSyncStep1,
  writeSyncStep2,
  writeSyncUpdate,
} from '../../protocol/message.js'
import type { RoomMessage } from '../rooms/room-member.js'

/**
 * One message on its way to one or more connections. `wire` (the complete WebSocket frame) is
 * filled in by the first connection that sends it and reused by the others.
 */
export interface OutgoingFrame {
  readonly payload: Uint8Array
  wire?: Buffer
}

function encodeRoomMessage(message: RoomMessage): Uint8Array {
  switch (message.kind) {
    case 'syncStep1':
      return writeSyncStep1(message.stateVector)
    case 'syncStep2':
      return writeSyncStep2(message.update)
    case 'update':
      return writeSyncUpdate(message.update)
    case 'awareness':
      return writeAwareness(message.update)
  }
}

/**
 * Turns room messages into frames. A broadcast hands the same message to every member in turn, so
 * remembering the last one encodes it once for all of them. Only broadcast kinds are remembered:
 * a sync answer goes to one connection and may be large.
 */
export class FrameEncoder {
  #lastMessage: RoomMessage | null = null
  #lastFrame: OutgoingFrame | null = null

  /** The frame of `message`, shared with the other receivers of the same message. */
  frameFor(message: RoomMessage): OutgoingFrame {
    if (message === this.#lastMessage && this.#lastFrame) return this.#lastFrame
    const frame: OutgoingFrame = { payload: encodeRoomMessage(message) }
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

// An unmasked, final, binary WebSocket frame (RFC 6455 §5.2): what ws itself would write.
function frameBinary(payload: Uint8Array): Buffer {
  const length = payload.byteLength
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
  wire.set(payload, headerBytes)
  return wire
}

/**
 * Sends a binary frame on an open WebSocket. Uses the frame's shared wire bytes when ws is idle
 * for this socket (server frames are never masked and compression is off, so the bytes are the
 * same for every receiver); falls back to `socket.send` otherwise.
 */
export function sendFrame(socket: WebSocket, frame: OutgoingFrame): void {
  if (socket.readyState !== WebSocket.OPEN) return
  const internals = socket as unknown as WebSocketInternals
  if (canWriteDirectly(internals)) {
    frame.wire ??= frameBinary(frame.payload)
    internals._socket!.write(frame.wire)
  } else {
    socket.send(frame.payload)
  }
}
