// Yjs updates (encoding v1) written byte by byte, for shapes the trace never has: Y.Maps nested
// thousands deep, structs whose origin is missing (pending), a delete set for unknown content, one
// huge insert. Writing them directly costs the fuzzer no Y.Doc and no recursion. The grammar is
// that of yjs src/utils/encoding.js (writeClientsStructs, Item.write, writeDeleteSet).
import * as encoding from 'lib0/encoding'
import { AnyTag, StructInfo, StructRef, TypeRef } from '../protocol/yjs-encoding.js'

/** Root types the crafted updates write into; the writers' documents have none of them. */
export const CraftedRoot = { map: 'fuzz-map', text: 'fuzz-text' } as const

/** Starts an update with `structs` structs of one client, from `firstClock`. */
function startUpdate(client: number, firstClock: number, structs: number): encoding.Encoder {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint(encoder, structs)
  encoding.writeVarUint(encoder, client)
  encoding.writeVarUint(encoder, firstClock)
  return encoder
}

/** Ends an update with an empty delete set. */
function endUpdate(encoder: encoding.Encoder): Uint8Array {
  encoding.writeVarUint(encoder, 0)
  return encoding.toUint8Array(encoder)
}

function writeId(encoder: encoding.Encoder, client: number, clock: number): void {
  encoding.writeVarUint(encoder, client)
  encoding.writeVarUint(encoder, clock)
}

function writeRootParent(encoder: encoding.Encoder, root: string): void {
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarString(encoder, root)
}

/**
 * A chain of `depth` Y.Maps, each under key `k` of the one before, the first under the root map
 * `fuzz-map`: `depth` shared types nested within each other.
 */
export function nestedMapsUpdate(client: number, depth: number): Uint8Array {
  const encoder = startUpdate(client, 0, depth)
  for (let level = 0; level < depth; level++) {
    encoding.writeUint8(encoder, StructRef.type | StructInfo.hasParentSub)
    if (level === 0) {
      writeRootParent(encoder, CraftedRoot.map)
    } else {
      encoding.writeVarUint(encoder, 0)
      writeId(encoder, client, level - 1)
    }
    encoding.writeVarString(encoder, 'k')
    encoding.writeVarUint(encoder, TypeRef.map)
  }
  return endUpdate(encoder)
}

/**
 * A value set after the struct at (`client`, `originClock`) under the same map key: when that
 * struct is the top of a chain of nested maps, applying this deletes the whole chain.
 */
export function overwriteUpdate(client: number, clock: number, originClock: number): Uint8Array {
  const encoder = startUpdate(client, clock, 1)
  encoding.writeUint8(encoder, StructRef.any | StructInfo.hasOrigin)
  writeId(encoder, client, originClock)
  encoding.writeVarUint(encoder, 1)
  encoding.writeUint8(encoder, AnyTag.string)
  encoding.writeVarString(encoder, 'overwritten')
  return endUpdate(encoder)
}

/**
 * Strings inserted after a struct that does not exist (`missingClient` never writes): Yjs keeps
 * them as pending structs, waiting forever. About `bytes` bytes of pending content in all.
 */
export function pendingStructsUpdate(
  client: number,
  missingClient: number,
  bytes: number,
): Uint8Array {
  const chunk = 'p'.repeat(Math.min(bytes, 4096))
  const count = Math.max(1, Math.ceil(bytes / chunk.length))
  const encoder = startUpdate(client, 0, count)
  for (let index = 0; index < count; index++) {
    // Each string follows the one before; the first follows the missing struct.
    encoding.writeUint8(encoder, StructRef.string | StructInfo.hasOrigin)
    if (index === 0) writeId(encoder, missingClient, 1_000)
    else writeId(encoder, client, index * chunk.length - 1)
    encoding.writeVarString(encoder, chunk)
  }
  return endUpdate(encoder)
}

/** An insert into `fuzz-text` by a client whose earlier clocks never arrive: pending as well. */
export function clockGapUpdate(client: number, firstClock: number, text: string): Uint8Array {
  const encoder = startUpdate(client, firstClock, 1)
  encoding.writeUint8(encoder, StructRef.string)
  writeRootParent(encoder, CraftedRoot.text)
  encoding.writeVarString(encoder, text)
  return endUpdate(encoder)
}

/** Deletes content of a client the document has not seen: Yjs keeps it as a pending delete set. */
export function unknownDeletionUpdate(client: number, clock: number, length: number): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint(encoder, client)
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint(encoder, clock)
  encoding.writeVarUint(encoder, length)
  return encoding.toUint8Array(encoder)
}

/** One insert of `length` characters into `fuzz-text` by a new client. */
export function largeInsertUpdate(client: number, length: number): Uint8Array {
  return clockGapUpdate(client, 0, 'x'.repeat(length))
}
