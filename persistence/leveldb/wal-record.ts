// The write-ahead log's record format (persistence/README.md, "Write-ahead-log records"): encodes
// a record with its checksum, and reads a file of records up to the first bad one, accounting
// for the bytes after it. Imports only lib0 and crc-32: no file system, nothing of LevelDB.
import CRC32 from 'crc-32'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/** One appended log entry. */
export interface WalRecord {
  room: string
  seq: number
  update: Uint8Array
}

/** `u8 0xC8 · u32le body length · u32le CRC-32 of the body · body`: what this version writes. */
const checkedMarker = 0xc8
const checkedHeaderBytes = 9
/** `u8 0xC7 · u32le body length · body`: written before checksums, still read after an upgrade. */
const legacyMarker = 0xc7
const legacyHeaderBytes = 5
const seqBytes = 8

/** A room name as records hold it (varuint byte length, UTF-8): encode it once per room. */
export const encodeRoomName = (room: string): Uint8Array =>
  encoding.encode((encoder) => encoding.writeVarString(encoder, room))

/**
 * A record as the two parts one writev(2) writes: the header with the body's start, then the
 * update itself, as received (not copied: updates may be megabytes). The body is
 * `varuint room byte length · room (UTF-8) · f64le seq · update`.
 */
export function encodeWalRecord(
  roomName: Uint8Array,
  seq: number,
  update: Uint8Array,
): readonly [Buffer, Uint8Array] {
  const bodyBytes = roomName.length + seqBytes + update.length
  const head = Buffer.allocUnsafe(checkedHeaderBytes + roomName.length + seqBytes)
  head[0] = checkedMarker
  head.writeUInt32LE(bodyBytes, 1)
  head.set(roomName, checkedHeaderBytes)
  head.writeDoubleLE(seq, checkedHeaderBytes + roomName.length)
  // crc-32 continues a checksum from a seed, so the body is checksummed in its two parts.
  const crc = CRC32.buf(update, CRC32.buf(head.subarray(checkedHeaderBytes)))
  head.writeInt32LE(crc, 5)
  return [head, update]
}

/** Where and how the records of a file break off: nothing from `offset` on is replayed. */
export interface WalDamage {
  /** The first bad record: its number in the file (from 1) and its byte offset. */
  recordNumber: number
  offset: number
  /** What is wrong with it, to follow "record N": "fails its checksum". */
  problem: string
  /** The file ends inside the record, as a write cut short leaves it: no byte fails a check. */
  isCut: boolean
  /** Bytes from `offset` to the end of the file. */
  skippedBytes: number
  /** The bad record's size by its header, when its header could be read and framed the rest. */
  recordBytes: number | null
  /** Records that read whole after the bad one (they are not replayed either). */
  laterRecords: Array<{ room: string; isVerified: boolean }>
  /** The bytes after those, to the end of the file, that do not read as a record. */
  unreadableBytes: number
}

/** A file's records up to the first bad one, and what breaks them off there (null: nothing). */
interface WalFileContents {
  records: WalRecord[]
  damage: WalDamage | null
}

// What one offset of a file holds. `end` is where the next record starts by this one's header
// (null for a damaged record whose header cannot be read); `isVerified`, that a checksum held.
type RecordRead =
  | { kind: 'record'; record: WalRecord; end: number; isVerified: boolean }
  | { kind: 'cut'; problem: string }
  | { kind: 'damaged'; problem: string; end: number | null }

function decodeBody(body: Buffer): WalRecord | null {
  const decoder = decoding.createDecoder(body)
  let room: string
  try {
    room = decoding.readVarString(decoder)
  } catch {
    return null
  }
  // lib0 does not bound a string by the view it reads, so the seq must still fit in the body.
  const seqAt = decoder.pos
  if (seqAt + seqBytes > body.length) return null
  return { room, seq: body.readDoubleLE(seqAt), update: body.subarray(seqAt + seqBytes) }
}

/** Reads the record at `at`, which is inside `file`. */
function readRecordAt(file: Buffer, at: number): RecordRead {
  const marker = file[at]!
  const isVerified = marker === checkedMarker
  if (!isVerified && marker !== legacyMarker) {
    const hex = marker.toString(16).padStart(2, '0')
    return {
      kind: 'damaged',
      problem: `starts with byte 0x${hex}, which marks no record`,
      end: null,
    }
  }
  const headerBytes = isVerified ? checkedHeaderBytes : legacyHeaderBytes
  const bytesLeft = file.length - at
  if (bytesLeft < headerBytes) {
    return {
      kind: 'cut',
      problem: `the file ends ${bytesLeft} bytes into its ${headerBytes}-byte header`,
    }
  }
  const bodyBytes = file.readUInt32LE(at + 1)
  const end = at + headerBytes + bodyBytes
  if (end > file.length) {
    return {
      kind: 'cut',
      problem: `its header gives ${bodyBytes} body bytes and ${bytesLeft - headerBytes} follow`,
    }
  }
  const body = file.subarray(at + headerBytes, end)
  if (isVerified && CRC32.buf(body) !== file.readInt32LE(at + 5)) {
    return { kind: 'damaged', problem: 'fails its checksum', end }
  }
  const record = decodeBody(body)
  if (!record) return { kind: 'damaged', problem: 'holds no room name and sequence number', end }
  return { kind: 'record', record, end, isVerified }
}

// The records after a bad one can still be told apart when its header holds (a checksum that
// fails over an intact frame): they are counted, never replayed, so the report can name them.
function accountForDamage(
  file: Buffer,
  at: number,
  recordNumber: number,
  bad: Exclude<RecordRead, { kind: 'record' }>,
): WalDamage {
  const damage: WalDamage = {
    recordNumber,
    offset: at,
    problem: bad.kind === 'cut' ? `is cut short (${bad.problem})` : bad.problem,
    isCut: bad.kind === 'cut',
    skippedBytes: file.length - at,
    recordBytes: null,
    laterRecords: [],
    unreadableBytes: bad.kind === 'cut' ? 0 : file.length - at,
  }
  if (bad.kind === 'cut' || bad.end === null) return damage
  let next = bad.end
  while (next < file.length) {
    const later = readRecordAt(file, next)
    if (later.kind !== 'record') break
    damage.laterRecords.push({ room: later.record.room, isVerified: later.isVerified })
    next = later.end
  }
  return { ...damage, recordBytes: bad.end - at, unreadableBytes: file.length - next }
}

/** Reads the records of one file of the log, stopping at the first one that is cut or damaged. */
export function readWalFile(file: Buffer): WalFileContents {
  const records: WalRecord[] = []
  let at = 0
  while (at < file.length) {
    const read = readRecordAt(file, at)
    if (read.kind !== 'record') {
      return { records, damage: accountForDamage(file, at, records.length + 1, read) }
    }
    records.push(read.record)
    at = read.end
  }
  return { records, damage: null }
}
