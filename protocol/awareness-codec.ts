// The awareness update format of y-protocols/awareness (protocol/README.md §3), decoded without
// applying it, so a malformed update is refused whole. Imports only lib0.
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { CloseCode } from './close-codes.js'
import { CollabError } from './collab-error.js'

/** One client's entry in an awareness update. `stateJson` is `'null'` when the client left. */
export interface AwarenessEntry {
  clientId: number
  clock: number
  stateJson: string
}

/**
 * Decodes an awareness update payload. Every state must be valid JSON; anything else throws a
 * CollabError with close code 1007.
 */
export function readAwarenessUpdate(payload: Uint8Array): AwarenessEntry[] {
  try {
    const decoder = decoding.createDecoder(payload)
    const count = decoding.readVarUint(decoder)
    const entries: AwarenessEntry[] = []
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder)
      const clock = decoding.readVarUint(decoder)
      const stateJson = decoding.readVarString(decoder)
      JSON.parse(stateJson)
      entries.push({ clientId, clock, stateJson })
    }
    // lib0 clamps reads past the end instead of throwing, so a truncated update shows up here.
    if (decoder.pos !== payload.length) throw new Error('length mismatch')
    return entries
  } catch (error) {
    throw new CollabError(
      'COLLAB_BAD_PAYLOAD',
      CloseCode.invalidPayload,
      'malformed awareness update',
      { cause: error },
    )
  }
}

/** Encodes awareness entries in the y-protocols format. */
export function writeAwarenessUpdate(entries: Iterable<AwarenessEntry>): Uint8Array {
  const list = [...entries]
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, list.length)
  for (const entry of list) {
    encoding.writeVarUint(encoder, entry.clientId)
    encoding.writeVarUint(encoder, entry.clock)
    encoding.writeVarString(encoder, entry.stateJson)
  }
  return encoding.toUint8Array(encoder)
}
