// The LevelDB store's write-ahead log: makes an append durable with one write(2) on the
// event-loop thread, keeps each file until LevelDB holds its records, and hands back what a
// previous process left. File I/O goes through WalFileSystem; imports nothing of LevelDB.
import {
  closeSync,
  fdatasync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/**
 * The file calls the write-ahead log makes, all synchronous but `sync`. Tests replace one to
 * inject a failure (a write cut short); `nodeWalFileSystem` is the real one.
 */
export interface WalFileSystem {
  /** Makes the log's directory; its parent exists. Fine when it exists already. */
  makeDirectory(directory: string): void
  /** The names in a directory. */
  list(directory: string): string[]
  read(path: string): Buffer
  /** Opens a file for appending, creating it when missing; returns the descriptor. */
  openForAppend(path: string): number
  /** One write(2) of `bytes`; returns how many were written, which may be fewer. */
  write(fd: number, bytes: Buffer): number
  /** fdatasync(2): resolves once what was written is on the device. */
  sync(fd: number): Promise<void>
  close(fd: number): void
  /** Deletes a file; fine when it is gone already. */
  remove(path: string): void
}

/** WalFileSystem over node:fs. */
export const nodeWalFileSystem: WalFileSystem = {
  makeDirectory: (directory) => {
    // Not `recursive`: Node's recursive mkdir loops for ever where a parent cannot hold the child.
    try {
      mkdirSync(directory)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  },
  list: (directory) => readdirSync(directory),
  read: (path) => readFileSync(path),
  openForAppend: (path) => openSync(path, 'a'),
  write: (fd, bytes) => writeSync(fd, bytes),
  sync: (fd) =>
    new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve()))),
  close: (fd) => closeSync(fd),
  remove: (path) => rmSync(path, { force: true }),
}

/** One appended log entry. */
export interface WalRecord {
  room: string
  seq: number
  update: Uint8Array
}

/** A file of the log; appends return it so the store can report when its records are stored. */
export interface WalFile {
  readonly generation: number
}

interface OpenFile extends WalFile {
  readonly path: string
  readonly fd: number
  bytes: number
  /** Records appended to this file and not yet written to LevelDB. */
  unstored: number
}

const recordMarker = 0xc7
const headerBytes = 5
/** A file that reaches this size is closed to appends; it is deleted once all of it is stored. */
const rotateAfterBytes = 8 * 1024 * 1024
const fileName = (generation: number): string => `${generation.toString(16).padStart(16, '0')}.wal`
const generationOf = (name: string): number | null =>
  /^[0-9a-f]{16}\.wal$/.test(name) ? Number.parseInt(name.slice(0, 16), 16) : null

/** A room name as records hold it (varuint byte length, UTF-8): encode it once per room. */
export const encodeRoomName = (room: string): Uint8Array =>
  encoding.encode((encoder) => encoding.writeVarString(encoder, room))

// A record is written with one synchronous write(2), so write-before-relay costs no round trip
// through a worker thread; LevelDB receives the same entries in larger batches a little later
// (puts are idempotent, so replaying records is safe).
// File: <directory>/<generation, 16 hex digits>.wal, a sequence of records:
//   u8 0xC7 · u32le body length · body = varuint room byte length · room (UTF-8) · f64le seq · update
function encodeRecord(roomName: Uint8Array, seq: number, update: Uint8Array): Buffer {
  const bodyBytes = roomName.length + 8 + update.length
  const record = Buffer.allocUnsafe(headerBytes + bodyBytes)
  record[0] = recordMarker
  record.writeUInt32LE(bodyBytes, 1)
  record.set(roomName, headerBytes)
  record.set(update, record.writeDoubleLE(seq, headerBytes + roomName.length))
  return record
}

/** The records of one file; stops at the first damaged or incomplete one (a torn last write). */
function decodeRecords(file: Buffer): { records: WalRecord[]; ignoredBytes: number } {
  const records: WalRecord[] = []
  let at = 0
  while (at + headerBytes <= file.length && file[at] === recordMarker) {
    const bodyEnd = at + headerBytes + file.readUInt32LE(at + 1)
    if (bodyEnd > file.length) break
    const body = file.subarray(at + headerBytes, bodyEnd)
    const decoder = decoding.createDecoder(body)
    let room: string
    try {
      room = decoding.readVarString(decoder)
    } catch {
      break
    }
    // lib0 does not bound a string by the view it reads, so the seq must still fit in the body.
    const seqAt = decoder.pos
    if (seqAt + 8 > body.length) break
    records.push({ room, seq: body.readDoubleLE(seqAt), update: body.subarray(seqAt + 8) })
    at = bodyEnd
  }
  return { records, ignoredBytes: file.length - at }
}

/** What was left in the log's directory when it was opened. */
export interface RecoveredLog {
  records: WalRecord[]
  /** Bytes at the ends of files that did not form a whole record (a torn write). */
  ignoredBytes: number
  /** Deletes the recovered files; call once their records are stored. */
  discard(): void
}

/** Reads what a previous process left in `directory` (created when missing). */
export function recoverWriteAheadLog(
  directory: string,
  fs: WalFileSystem = nodeWalFileSystem,
): RecoveredLog {
  fs.makeDirectory(directory)
  const paths = fs
    .list(directory)
    .map((name) => ({ name, generation: generationOf(name) }))
    .filter((entry) => entry.generation !== null)
    .sort((a, b) => a.generation! - b.generation!)
    .map((entry) => join(directory, entry.name))
  const records: WalRecord[] = []
  let ignoredBytes = 0
  for (const path of paths) {
    const decoded = decodeRecords(fs.read(path))
    records.push(...decoded.records)
    ignoredBytes += decoded.ignoredBytes
  }
  return {
    records,
    ignoredBytes,
    discard: () => {
      for (const path of paths) fs.remove(path)
    },
  }
}

/** An open write-ahead log: appends go to the newest file. */
export class WriteAheadLog {
  readonly #directory: string
  readonly #fs: WalFileSystem
  #current: OpenFile
  /** Files closed to appends that still hold records LevelDB does not have yet. */
  readonly #closed = new Map<number, OpenFile>()

  /** Starts a new log in `directory`; recover (and discard) what was there first. */
  constructor(directory: string, fs: WalFileSystem = nodeWalFileSystem) {
    this.#directory = directory
    this.#fs = fs
    this.#current = this.#openFile(1)
  }

  /**
   * Appends a record with one write(2): once this returns, the record survives a crash of the
   * process. Throws when the write fails, and then nothing of the record counts as written.
   */
  append(roomName: Uint8Array, seq: number, update: Uint8Array): WalFile {
    const bytes = encodeRecord(roomName, seq, update)
    const file = this.#current
    let written = 0
    try {
      written = this.#fs.write(file.fd, bytes)
    } finally {
      // A failed or short write may leave part of a record behind, and recovery stops reading a
      // file at such a record: the records after it go to a new file.
      if (written !== bytes.length) this.#startNewFile()
    }
    if (written !== bytes.length) {
      throw new Error(`short write to the write-ahead log (${written} of ${bytes.length} bytes)`)
    }
    file.bytes += written
    file.unstored++
    if (file.bytes >= rotateAfterBytes) this.#startNewFile()
    return file
  }

  /** Flushes the open files to disk (for --fsync); resolves when the data is on the device. */
  async sync(): Promise<void> {
    const files = [...this.#closed.values(), this.#current]
    await Promise.all(files.map(({ fd }) => this.#fs.sync(fd)))
  }

  /** `count` records of `file` are now in LevelDB; a closed file with none left is deleted. */
  stored(file: WalFile, count: number): void {
    const open =
      file.generation === this.#current.generation
        ? this.#current
        : this.#closed.get(file.generation)
    if (!open) return
    open.unstored -= count
    if (open !== this.#current && open.unstored === 0) {
      this.#closed.delete(open.generation)
      this.#delete(open)
    }
  }

  /** Closes and deletes every file; only once everything appended is in LevelDB. */
  close(): void {
    for (const file of [...this.#closed.values(), this.#current]) this.#delete(file)
    this.#closed.clear()
  }

  /** Closes the current file to appends; it goes once LevelDB holds all its records. */
  #startNewFile(): void {
    const file = this.#current
    this.#current = this.#openFile(file.generation + 1)
    if (file.unstored > 0) this.#closed.set(file.generation, file)
    else this.#delete(file)
  }

  #delete(file: OpenFile): void {
    this.#fs.close(file.fd)
    this.#fs.remove(file.path)
  }

  #openFile(generation: number): OpenFile {
    const path = join(this.#directory, fileName(generation))
    return { generation, path, fd: this.#fs.openForAppend(path), bytes: 0, unstored: 0 }
  }
}
