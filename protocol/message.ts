// The y-websocket wire format (protocol/README.md §2–§4): reading incoming frames and writing
// outgoing ones. Imports only lib0; no Node or DOM APIs.
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { CloseCode } from './close-codes.js'
import { CollabError } from './collab-error.js'

/** Outer message tag, the first varUint of every frame. */
export const MessageType = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3 } as const

/** Second varUint of a sync frame (y-protocols/sync). */
export const SyncStep = { step1: 0, step2: 1, update: 2 } as const

/** Second varUint of an auth frame (y-protocols/auth). */
export const AuthStep = { permissionDenied: 0 } as const

/** A decoded frame from a client. Payloads are views into the frame's memory, not copies. */
export type ClientMessage =
  | { kind: 'syncStep1'; stateVector: Uint8Array }
  | { kind: 'syncStep2'; update: Uint8Array }
  | { kind: 'syncUpdate'; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array }
  | { kind: 'queryAwareness' }

function badFrame(message: string, cause?: unknown): CollabError {
  return new CollabError('COLLAB_BAD_FRAME', CloseCode.protocolError, message, { cause })
}

function readTag(decoder: decoding.Decoder, what: string): number {
  if (decoder.pos >= decoder.arr.length) throw badFrame(`truncated frame: missing ${what}`)
  try {
    return decoding.readVarUint(decoder)
  } catch (error) {
    throw badFrame(`truncated or oversized varint in ${what}`, error)
  }
}

// lib0's readVarUint8Array does not check the length against the frame (it builds a view on the
// underlying ArrayBuffer, which for ws frames is a shared pool), so the bound is checked here.
function readPayload(decoder: decoding.Decoder, what: string): Uint8Array {
  const length = readTag(decoder, `${what} length`)
  const start = decoder.pos
  const end = start + length
  if (end > decoder.arr.length) {
    throw badFrame(
      `truncated frame: ${what} declares ${length} bytes but ${decoder.arr.length - start} remain`,
    )
  }
  decoder.pos = end
  return decoder.arr.subarray(start, end)
}

/**
 * Decodes one binary frame a client sent. Throws a CollabError carrying the close code for the offending
 * connection: 1002 for a broken envelope, 1003 for a message type the server does not speak.
 * The payloads themselves (updates, state vectors, awareness) are validated by their consumers.
 */
export function readClientMessage(frame: Uint8Array): ClientMessage {
  const decoder = decoding.createDecoder(frame)
  const messageType = readTag(decoder, 'message type')
  switch (messageType) {
    case MessageType.sync: {
      const step = readTag(decoder, 'sync step')
      switch (step) {
        case SyncStep.step1:
          return { kind: 'syncStep1', stateVector: readPayload(decoder, 'state vector') }
        case SyncStep.step2:
          return { kind: 'syncStep2', update: readPayload(decoder, 'update') }
        case SyncStep.update:
          return { kind: 'syncUpdate', update: readPayload(decoder, 'update') }
        default:
          throw badFrame(`unknown sync step ${step}`)
      }
    }
    case MessageType.awareness:
      return { kind: 'awareness', update: readPayload(decoder, 'awareness update') }
    case MessageType.queryAwareness:
      return { kind: 'queryAwareness' }
    case MessageType.auth:
      throw new CollabError(
        'COLLAB_UNKNOWN_MESSAGE',
        CloseCode.unsupportedData,
        'auth messages (type 2) are not supported by this server',
      )
    default:
      throw new CollabError(
        'COLLAB_UNKNOWN_MESSAGE',
        CloseCode.unsupportedData,
        `unknown message type ${messageType}`,
      )
  }
}

/** The tags that open each kind of message whose body is one length-prefixed payload. */
export const messageTags = {
  syncStep1: [MessageType.sync, SyncStep.step1],
  syncStep2: [MessageType.sync, SyncStep.step2],
  syncUpdate: [MessageType.sync, SyncStep.update],
  awareness: [MessageType.awareness],
} as const

/**
 * The bytes of a message before its payload: the tags, then the payload's length. The head and
 * the payload together are the message the matching `write…` function returns; a sender that
 * frames large payloads writes them after the head without copying them into a message first.
 */
export function writeMessageHead(tags: readonly number[], payloadLength: number): Uint8Array {
  const encoder = encoding.createEncoder()
  for (const tag of tags) encoding.writeVarUint(encoder, tag)
  encoding.writeVarUint(encoder, payloadLength)
  return encoding.toUint8Array(encoder)
}

function writeTagged(tags: readonly number[], payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  for (const tag of tags) encoding.writeVarUint(encoder, tag)
  encoding.writeVarUint8Array(encoder, payload)
  return encoding.toUint8Array(encoder)
}

/** Sync step 1: "here is my state vector, send me what I lack". */
export function writeSyncStep1(stateVector: Uint8Array): Uint8Array {
  return writeTagged(messageTags.syncStep1, stateVector)
}

/** Sync step 2: the answer to a step 1, an update holding what the asker lacks. */
export function writeSyncStep2(update: Uint8Array): Uint8Array {
  return writeTagged(messageTags.syncStep2, update)
}

/** An incremental document update, relayed to the other connections of a room. */
export function writeSyncUpdate(update: Uint8Array): Uint8Array {
  return writeTagged(messageTags.syncUpdate, update)
}

/** An awareness update (encoded as by y-protocols/awareness). */
export function writeAwareness(update: Uint8Array): Uint8Array {
  return writeTagged(messageTags.awareness, update)
}

/**
 * An auth message (y-protocols/auth) saying the server refused something, e.g. `read-only`: the
 * stock client logs it and stays connected.
 */
export function writePermissionDenied(reason: string): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.auth)
  encoding.writeVarUint(encoder, AuthStep.permissionDenied)
  encoding.writeVarString(encoder, reason)
  return encoding.toUint8Array(encoder)
}

/** Asks the other side to send all awareness states it knows. */
export function writeQueryAwareness(): Uint8Array {
  return Uint8Array.of(MessageType.queryAwareness)
}
