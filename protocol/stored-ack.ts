// Acknowledgements of stored updates (protocol/README.md §6): our own message, sent only to
// clients that asked for it in the connection URL, so stock y-websocket clients never see it.
// Imports only lib0; shared by the server and the editor.
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/** Outer message tag of an acknowledgement; far from y-websocket's 0–3 and Hocuspocus's 0–8. */
export const storedAckMessageType = 100

/** The query parameter, with value `1`, by which a client asks for acknowledgements. */
export const storedAckParameter = 'acks'

/**
 * An acknowledgement: how many of the update messages (sync step 2 and update) the client has
 * sent on this connection are now durable, counting from the first.
 */
export function writeStoredAck(storedUpdates: number): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, storedAckMessageType)
  encoding.writeVarUint(encoder, storedUpdates)
  return encoding.toUint8Array(encoder)
}

/** Reads the count of an acknowledgement whose message type has been read already. */
export function readStoredAck(decoder: decoding.Decoder): number {
  return decoding.readVarUint(decoder)
}

/** Whether a frame a client sends is an update message that the server acknowledges. */
export function isAcknowledgedMessage(frame: Uint8Array): boolean {
  // Both tags are one-byte varUints: sync (0), then step 2 (1) or update (2).
  return frame[0] === 0 && (frame[1] === 1 || frame[1] === 2)
}
