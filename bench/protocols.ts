// Wire framing of the two protocols the load generator speaks: y-websocket (ours, the reference
// server and the raw relay) and Hocuspocus (the same sync messages behind a document-name prefix).
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/** Which framing a server expects. */
export type WireProtocol = 'y-websocket' | 'hocuspocus'

/** A frame from the server, as much of it as the load generator cares about. */
export type ServerFrame =
  | { kind: 'syncStep1'; stateVector: Uint8Array }
  | { kind: 'syncStep2'; update: Uint8Array }
  | { kind: 'update'; update: Uint8Array }
  | { kind: 'other' }

const messageSync = 0
const syncStep1 = 0
const syncStep2 = 1
const syncUpdate = 2

// Hocuspocus message types (@hocuspocus/server MessageType): Sync and SyncReply carry the same
// y-protocols sync messages; Auth opens a document on the socket.
const hocuspocusAuth = 2
const hocuspocusSyncReply = 4
const hocuspocusAuthToken = 0

function frame(
  protocol: WireProtocol,
  room: string,
  write: (encoder: encoding.Encoder) => void,
): Uint8Array {
  const encoder = encoding.createEncoder()
  if (protocol === 'hocuspocus') encoding.writeVarString(encoder, room)
  write(encoder)
  return encoding.toUint8Array(encoder)
}

function syncFrame(protocol: WireProtocol, room: string, type: number, payload: Uint8Array) {
  return frame(protocol, room, (encoder) => {
    encoding.writeVarUint(encoder, messageSync)
    encoding.writeVarUint(encoder, type)
    encoding.writeVarUint8Array(encoder, payload)
  })
}

/** Frames a sync step 1 carrying the client's state vector. */
export function writeSyncStep1(protocol: WireProtocol, room: string, stateVector: Uint8Array) {
  return syncFrame(protocol, room, syncStep1, stateVector)
}

/** Frames a sync step 2 carrying what the server lacks. */
export function writeSyncStep2(protocol: WireProtocol, room: string, update: Uint8Array) {
  return syncFrame(protocol, room, syncStep2, update)
}

/** Frames an incremental document update. */
export function writeUpdate(protocol: WireProtocol, room: string, update: Uint8Array) {
  return syncFrame(protocol, room, syncUpdate, update)
}

/**
 * Frames that open a connection: Hocuspocus wants an authentication message for the document
 * before anything else (any token passes without an onAuthenticate hook); y-websocket wants none.
 */
export function writeOpening(protocol: WireProtocol, room: string): Uint8Array[] {
  if (protocol === 'y-websocket') return []
  const auth = frame(protocol, room, (encoder) => {
    encoding.writeVarUint(encoder, hocuspocusAuth)
    encoding.writeVarUint(encoder, hocuspocusAuthToken)
    encoding.writeVarString(encoder, 'bench')
  })
  return [auth]
}

/** Decodes a server frame; anything other than a sync message is `other`. */
export function readServerFrame(protocol: WireProtocol, bytes: Uint8Array): ServerFrame {
  const decoder = decoding.createDecoder(bytes)
  if (protocol === 'hocuspocus') decoding.readVarString(decoder)
  const type = decoding.readVarUint(decoder)
  const isSync = type === messageSync || (protocol === 'hocuspocus' && type === hocuspocusSyncReply)
  if (!isSync) return { kind: 'other' }
  const syncType = decoding.readVarUint(decoder)
  const payload = decoding.readVarUint8Array(decoder)
  switch (syncType) {
    case syncStep1:
      return { kind: 'syncStep1', stateVector: payload }
    case syncStep2:
      return { kind: 'syncStep2', update: payload }
    case syncUpdate:
      return { kind: 'update', update: payload }
    default:
      return { kind: 'other' }
  }
}

/**
 * Reads the first struct's client ID and clock from a Yjs v1 update without decoding the rest:
 * together they name the writer's transaction, so receivers can match it to its send time.
 */
export function readFirstStructId(update: Uint8Array): { client: number; clock: number } | null {
  const decoder = decoding.createDecoder(update)
  const groups = decoding.readVarUint(decoder)
  if (groups === 0) return null
  decoding.readVarUint(decoder)
  const client = decoding.readVarUint(decoder)
  const clock = decoding.readVarUint(decoder)
  return { client, clock }
}
