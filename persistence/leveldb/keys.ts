// The LevelDB key layout `v1` (table in persistence/README.md): every key and sequence-number
// value the store reads or writes is built here. Imports nothing but Node's Buffer and a type.
import type { KeyRange } from './database.js'

// Every key starts with the layout version and the room name; NUL separates the parts because
// room names cannot contain control characters (protocol/room-name.ts).
const layoutVersion = 'v1'
const roomPrefix = (room: string): string => `${layoutVersion}\0${room}\0`
const seqHexDigits = 16
const hexDigits = Buffer.from('0123456789abcdef', 'latin1')

/**
 * `v1\0\0record\0<name>`: a server-wide record. No room is named '' (protocol/room-name.ts), so
 * these keys can never meet a room's.
 */
export const recordKey = (name: string): Buffer => Buffer.from(`${roomPrefix('')}record\0${name}`)

/**
 * The bytes of `text` that sort as its UTF-16 code units do (CESU-8): UTF-8, except that a
 * character beyond U+FFFF takes its two surrogates' 3 bytes each. Plain UTF-8 sorts by code point,
 * which puts such a character after U+E000–U+FFFF where UTF-16 puts it before. No byte is 0xFF.
 */
function utf16OrderBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafe(text.length * 3)
  let at = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x80) {
      bytes[at++] = unit
    } else if (unit < 0x800) {
      bytes[at++] = 0xc0 | (unit >> 6)
      bytes[at++] = 0x80 | (unit & 0x3f)
    } else {
      bytes[at++] = 0xe0 | (unit >> 12)
      bytes[at++] = 0x80 | ((unit >> 6) & 0x3f)
      bytes[at++] = 0x80 | (unit & 0x3f)
    }
  }
  return bytes.subarray(0, at)
}

const documentIndexPrefix = Buffer.from(`${roomPrefix('')}document\0`)

/**
 * `v1\0\0document\0<room>`: the document index's entry of a room, whose value is the room name
 * (UTF-8). The name in the key is in `utf16OrderBytes`, so that the index lists rooms in the
 * order of `DocStore.listDocuments`; for a name without characters beyond U+FFFF that is UTF-8.
 */
export const documentIndexKey = (room: string): Buffer =>
  Buffer.concat([documentIndexPrefix, utf16OrderBytes(room)])

/** The index entries of the rooms whose names start with `prefix` and come after `after`. */
export function documentIndexRange(prefix: string, after: string | null): KeyRange {
  const start = documentIndexKey(prefix)
  // Every key holding the prefix sorts below the prefix followed by 0xFF, which no name holds.
  const lt = Buffer.concat([start, Buffer.of(0xff)])
  return after !== null && after >= prefix
    ? { gt: documentIndexKey(after), lt }
    : { gte: start, lt }
}

/** `v1\0<room>\0meta`: the room's JSON metadata record (persistence/leveldb/meta-record.ts). */
export const metaKey = (room: string): Buffer => Buffer.from(`${roomPrefix(room)}meta`)

/**
 * The keys of a room's compacted state. They keep the layout's original names (`snapshot`,
 * `snapshot-vector`, `snapshot-seq`): renaming them would change the storage format.
 */
export const compactedKeys = (
  room: string,
): { update: Buffer; stateVector: Buffer; seq: Buffer } => ({
  update: Buffer.from(`${roomPrefix(room)}snapshot`),
  stateVector: Buffer.from(`${roomPrefix(room)}snapshot-vector`),
  seq: Buffer.from(`${roomPrefix(room)}snapshot-seq`),
})

/** `v1\0<room>\0log\0`: every log key of the room starts with it; build it once per room. */
export const logKeyPrefix = (room: string): Buffer => Buffer.from(`${roomPrefix(room)}log\0`)

/** `<log key prefix><seq as 16 lower-case hex digits>`, built without intermediate strings. */
export function logKey(prefix: Buffer, seq: number): Buffer {
  const key = Buffer.allocUnsafe(prefix.length + seqHexDigits)
  prefix.copy(key)
  let rest = seq
  for (let i = key.length - 1; i >= prefix.length; i--) {
    key[i] = hexDigits[rest % 16]!
    rest = Math.floor(rest / 16)
  }
  return key
}

/** The value of the `snapshot-seq` key: the sequence number as 16 lower-case hex digits. */
export const seqValue = (seq: number): Buffer => logKey(Buffer.alloc(0), seq)

/** The sequence number held by a `snapshot-seq` value. */
export const parseSeq = (hex: Buffer): number => Number.parseInt(hex.toString('latin1'), 16)

/** The sequence number at the end of a log key. */
export const seqOfLogKey = (key: Buffer): number =>
  parseSeq(key.subarray(key.length - seqHexDigits))

/** The key range holding exactly the room's log (`\u0001` sorts right after the `\0` separator). */
export const logRange = (room: string): KeyRange => ({
  gt: logKeyPrefix(room),
  lt: Buffer.from(`${roomPrefix(room)}log\u0001`),
})

/** `v1\0<room>\0version\0<id>`: the content of a version (one Yjs update). */
export const versionKey = (room: string, id: string): Buffer =>
  Buffer.from(`${roomPrefix(room)}version\0${id}`)

/** `v1\0<room>\0version-info\0<id>`: the record of a version (leveldb/version-record.ts). */
export const versionInfoKey = (room: string, id: string): Buffer =>
  Buffer.from(`${roomPrefix(room)}version-info\0${id}`)

/**
 * The key range holding exactly the room's version records. It starts after `version-info`
 * itself, not after `version-info\0`, so that it also holds the record of the id ''.
 */
export const versionInfoRange = (room: string): KeyRange => ({
  gt: Buffer.from(`${roomPrefix(room)}version-info`),
  lt: Buffer.from(`${roomPrefix(room)}version-info\u0001`),
})

/** The version id at the end of a key of `versionInfoRange(room)`. */
export const versionIdOfInfoKey = (room: string, key: Buffer): string =>
  key.subarray(versionInfoKey(room, '').length).toString('utf8')

/** Every key of the layout: those of the rooms and the server-wide ones. */
export const allKeys: KeyRange = {
  gt: Buffer.from(`${layoutVersion}\0`),
  lt: Buffer.from(`${layoutVersion}\u0001`),
}

/**
 * The room a key of `allKeys` belongs to ('' for a server-wide key), and the range of the keys
 * after all of that room's: a room's keys are `v1\0<room>\0…`, and `\u0001` sorts right after
 * the `\0`, before any character a room name may hold.
 */
export function roomOfKey(key: Buffer): { room: string; after: KeyRange } {
  const start = layoutVersion.length + 1
  const end = key.indexOf(0, start)
  const roomBytes = key.subarray(start, end < 0 ? key.length : end)
  const next = Buffer.concat([key.subarray(0, start), roomBytes, Buffer.of(1)])
  return { room: roomBytes.toString('utf8'), after: { gt: next, lt: allKeys.lt } }
}
