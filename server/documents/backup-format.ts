// The backup file (docs/backup-format.md): every document's state, versions and metadata in one
// versioned binary file, written and read one document at a time, so neither side holds more
// than one document. Pure: no files, no server; imports only types of the documents and store.
import CRC32 from 'crc-32'
import type { VersionAuthor, VersionInfo, VersionKind } from '../../persistence/store.js'
import { ByteReader } from './byte-reader.js'
import type { DocumentBackup, VersionContent } from './documents.js'

/** The format version this module writes, and the newest it reads. */
export const backupFormatVersion = 1

const magic = Buffer.from('COLLABBK', 'latin1')
const fileHeaderBytes = magic.length + 2
/** `u8 kind · u32 body length · u32 CRC-32 of those 5 bytes`, all big-endian. */
const recordHeadBytes = 9
const crcBytes = 4
const recordKinds = { document: 1, end: 2 } as const
const endBodyBytes = 8
const versionKinds: readonly VersionKind[] = ['auto', 'named', 'restore']

/** Why a file does not read as a backup, for callers that answer each differently. */
export type BackupProblem = 'not-a-backup' | 'newer-format' | 'damaged' | 'truncated'

/** The file is no backup this server can read; the message says where and why. */
export class BackupFormatError extends Error {
  override readonly name = 'BackupFormatError'
  readonly problem: BackupProblem

  constructor(problem: BackupProblem, message: string) {
    super(message)
    this.problem = problem
  }
}

/** The JSON header of a document record: everything but the bytes that follow it. */
interface DocumentHeader {
  name: string
  createdAtMs: number
  updatedAtMs: number
  stateBytes: number
  stateVectorBytes: number
  versions: Array<{ info: VersionInfo; contentBytes: number }>
}

const crcOf = (parts: readonly Uint8Array[]): number =>
  parts.reduce((crc, part) => CRC32.buf(part, crc), 0) >>> 0

function u32(value: number): Buffer {
  const bytes = Buffer.allocUnsafe(4)
  bytes.writeUInt32BE(value)
  return bytes
}

/** A whole record as the chunks to write: head, the body's parts (not copied), checksum. */
function record(kind: number, body: readonly Uint8Array[]): Uint8Array[] {
  const length = body.reduce((sum, part) => sum + part.length, 0)
  if (length > 0xffffffff) throw new RangeError(`a backup record is at most 4 GiB, not ${length}`)
  const head = Buffer.allocUnsafe(recordHeadBytes)
  head.writeUInt8(kind, 0)
  head.writeUInt32BE(length, 1)
  head.writeUInt32BE(crcOf([head.subarray(0, 5)]), 5)
  return [head, ...body, u32(crcOf(body))]
}

/**
 * Writes a backup record by record: `start()`, then `document(backup)` once per document, then
 * `end()`. Each returns the chunks to write next, in order; the writer keeps nothing of a
 * document once it has returned its chunks (they share the backup's bytes, uncopied).
 */
export class BackupWriter {
  #documents = 0
  #versions = 0

  /** The file header: magic and format version. */
  start(): Uint8Array[] {
    const version = Buffer.allocUnsafe(2)
    version.writeUInt16BE(backupFormatVersion)
    return [magic, version]
  }

  /** One document's record. */
  document(backup: DocumentBackup): Uint8Array[] {
    const header: DocumentHeader = {
      name: backup.name,
      createdAtMs: backup.createdAtMs,
      updatedAtMs: backup.updatedAtMs,
      stateBytes: backup.state.update.length,
      stateVectorBytes: backup.state.stateVector.length,
      versions: backup.versions.map(({ info, content }) => ({
        info,
        contentBytes: content.length,
      })),
    }
    const json = Buffer.from(JSON.stringify(header), 'utf8')
    this.#documents += 1
    this.#versions += backup.versions.length
    return record(recordKinds.document, [
      u32(json.length),
      json,
      backup.state.update,
      backup.state.stateVector,
      ...backup.versions.map((version) => version.content),
    ])
  }

  /** The end record, with the counts of the documents and versions written. */
  end(): Uint8Array[] {
    return record(recordKinds.end, [u32(this.#documents), u32(this.#versions)])
  }
}

/** The whole file for `documents`, chunk by chunk (for `Readable.from` and `pipeline`). */
export async function* encodeBackup(
  documents: AsyncIterable<DocumentBackup> | Iterable<DocumentBackup>,
): AsyncGenerator<Uint8Array> {
  const writer = new BackupWriter()
  yield* writer.start()
  for await (const backup of documents) yield* writer.document(backup)
  yield* writer.end()
}

const damaged = (message: string): BackupFormatError =>
  new BackupFormatError('damaged', `the backup is damaged: ${message}`)

const truncated = (message: string): BackupFormatError =>
  new BackupFormatError('truncated', `the backup is truncated: ${message}`)

function checkFileHeader(header: Uint8Array): void {
  const present = Buffer.from(header.subarray(0, magic.length))
  if (!present.equals(magic.subarray(0, present.length))) {
    throw new BackupFormatError(
      'not-a-backup',
      'not a collab-server backup: the file does not start with "COLLABBK"',
    )
  }
  if (header.length === 0) throw truncated('the file is empty')
  if (header.length < fileHeaderBytes) {
    throw truncated(
      `the file ends at byte ${header.length}, inside its ${fileHeaderBytes}-byte header`,
    )
  }
  const version = Buffer.from(header).readUInt16BE(magic.length)
  if (version > backupFormatVersion) {
    throw new BackupFormatError(
      'newer-format',
      `the backup is in format version ${version}, newer than this collab-server reads ` +
        `(up to ${backupFormatVersion}): restore it with a newer collab-server`,
    )
  }
  if (version === 0) throw damaged('its header names format version 0, which does not exist')
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
const isStringOrNull = (value: unknown): value is string | null =>
  value === null || typeof value === 'string'

function isAuthor(value: unknown): value is VersionAuthor {
  const author = value as Partial<Record<keyof VersionAuthor, unknown>> | null
  return (
    typeof author === 'object' &&
    author !== null &&
    isStringOrNull(author.userId) &&
    isStringOrNull(author.name) &&
    typeof author.isVerified === 'boolean' &&
    Array.isArray(author.clientIds) &&
    author.clientIds.every(isCount)
  )
}

function isVersionInfo(value: unknown): value is VersionInfo {
  const info = value as Partial<Record<keyof VersionInfo, unknown>> | null
  return (
    typeof info === 'object' &&
    info !== null &&
    typeof info.id === 'string' &&
    isStringOrNull(info.name) &&
    versionKinds.includes(info.kind as VersionKind) &&
    isCount(info.createdAtMs) &&
    isCount(info.bytes) &&
    Array.isArray(info.authors) &&
    info.authors.every(isAuthor)
  )
}

function isDocumentHeader(value: unknown): value is DocumentHeader {
  const header = value as Partial<Record<keyof DocumentHeader, unknown>> | null
  return (
    typeof header === 'object' &&
    header !== null &&
    typeof header.name === 'string' &&
    isCount(header.createdAtMs) &&
    isCount(header.updatedAtMs) &&
    isCount(header.stateBytes) &&
    isCount(header.stateVectorBytes) &&
    Array.isArray(header.versions) &&
    header.versions.every(
      (version: { info?: unknown; contentBytes?: unknown } | null) =>
        typeof version === 'object' &&
        version !== null &&
        isVersionInfo(version.info) &&
        isCount(version.contentBytes),
    )
  )
}

/** A document record's body as a DocumentBackup; `where` names the record for messages. */
function readDocument(body: Uint8Array, where: string): DocumentBackup {
  const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  const jsonBytes = body.length >= 4 ? view.readUInt32BE(0) : Infinity
  let header: unknown
  try {
    header = JSON.parse(view.toString('utf8', 4, 4 + jsonBytes))
  } catch {
    header = undefined
  }
  if (4 + jsonBytes > body.length || !isDocumentHeader(header)) {
    throw damaged(`${where} has no valid document header`)
  }
  const sizes = [
    header.stateBytes,
    header.stateVectorBytes,
    ...header.versions.map((v) => v.contentBytes),
  ]
  const expected = sizes.reduce((sum, size) => sum + size, 4 + jsonBytes)
  if (expected !== body.length) {
    throw damaged(
      `${where} holds ${body.length} bytes, not the ${expected} its header accounts for`,
    )
  }
  let offset = 4 + jsonBytes
  const parts = sizes.map((size) => {
    offset += size
    // Plain views, whether the source gave Buffers or not.
    return new Uint8Array(body.buffer, body.byteOffset + offset - size, size)
  })
  const [update, stateVector, ...contents] = parts as [Uint8Array, Uint8Array, ...Uint8Array[]]
  const versions: VersionContent[] = header.versions.map(({ info }, index) => ({
    info,
    content: contents[index]!,
  }))
  const { name, createdAtMs, updatedAtMs } = header
  return { name, createdAtMs, updatedAtMs, state: { update, stateVector }, versions }
}

/** Reads the record at the reader's position: its kind and its checked body. */
async function readRecord(
  reader: ByteReader,
  where: string,
  documentsRead: number,
): Promise<{ kind: number; body: Uint8Array }> {
  const head = await reader.read(recordHeadBytes)
  if (head.length === 0) {
    throw truncated(
      `it ends at byte ${reader.position} after ${documentsRead} documents, without its end record`,
    )
  }
  if (head.length < recordHeadBytes)
    throw truncated(`it ends at byte ${reader.position}, inside ${where}`)
  const view = Buffer.from(head.buffer, head.byteOffset, head.byteLength)
  if (view.readUInt32BE(5) !== crcOf([head.subarray(0, 5)])) {
    throw damaged(`${where} has a bad header checksum`)
  }
  const kind = view.readUInt8(0)
  const length = view.readUInt32BE(1)
  if (kind !== recordKinds.document && kind !== recordKinds.end) {
    throw damaged(`${where} is of unknown kind ${kind}`)
  }
  const body = await reader.read(length)
  const crc = await reader.read(crcBytes)
  if (body.length < length || crc.length < crcBytes) {
    throw truncated(
      `it ends at byte ${reader.position}, inside ${where} of ${length + recordHeadBytes + crcBytes} bytes`,
    )
  }
  if (Buffer.from(crc).readUInt32BE(0) !== crcOf([body])) {
    throw damaged(`${where} fails its checksum`)
  }
  return { kind, body }
}

/**
 * The documents of a backup file, one at a time, as `source` delivers its bytes. Throws a
 * BackupFormatError saying where and why when the file is no backup, is of a newer format, is
 * damaged or is cut short: the last only once every whole document before the cut has been
 * yielded, so check the whole file first where a partial restore would do harm.
 */
export async function* readBackup(
  source: AsyncIterable<Uint8Array>,
): AsyncGenerator<DocumentBackup> {
  const reader = new ByteReader(source)
  try {
    checkFileHeader(await reader.read(fileHeaderBytes))
    let documents = 0
    let versions = 0
    for (let number = 1; ; number += 1) {
      const where = `record ${number} (at byte ${reader.position})`
      const { kind, body } = await readRecord(reader, where, documents)
      if (kind === recordKinds.end) {
        const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
        const counts =
          body.length === endBodyBytes
            ? { documents: view.readUInt32BE(0), versions: view.readUInt32BE(4) }
            : null
        if (counts?.documents !== documents || counts.versions !== versions) {
          throw damaged(
            `its end record does not count the ${documents} documents and ${versions} versions it holds`,
          )
        }
        const after = reader.position
        if ((await reader.read(1)).length > 0)
          throw damaged(`bytes follow its end record at byte ${after}`)
        return
      }
      const backup = readDocument(body, where)
      documents += 1
      versions += backup.versions.length
      yield backup
    }
  } finally {
    await reader.close()
  }
}
