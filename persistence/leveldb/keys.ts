// The LevelDB key layout `v1` (table in persistence/README.md): every key and sequence-number
// value the store reads or writes is built here. Imports nothing but Node's Buffer.

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
export const logRange = (room: string): { gt: Buffer; lt: Buffer } => ({
  gt: logKeyPrefix(room),
  lt: Buffer.from(`${roomPrefix(room)}log\u0001`),
})
