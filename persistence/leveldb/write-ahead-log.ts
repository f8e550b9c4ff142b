// The LevelDB store's write-ahead log: makes an append durable with one writev(2) on the
// event-loop thread, keeps each file until LevelDB holds its records, and hands back what a
// previous process left. Records are encoded in wal-record.ts; file I/O goes through
// WalFileSystem; imports nothing of LevelDB.
import {
  closeSync,
  fdatasync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writevSync,
} from 'node:fs'
import { join } from 'node:path'
import { type WalDamage, type WalRecord, encodeWalRecord, readWalFile } from './wal-record.js'

/**
 * The file calls the write-ahead log makes, all synchronous but `sync`. Tests replace one to
 * inject a failure (a write cut short); `nodeWalFileSystem` is the real one.
 */
export interface WalFileSystem {
  /** Makes a directory whose parent exists. Fine when it exists already. */
  makeDirectory(directory: string): void
  /** The names in a directory. */
  list(directory: string): string[]
  read(path: string): Buffer
  /** Opens a file for appending, creating it when missing; returns the descriptor. */
  openForAppend(path: string): number
  /** One writev(2) of `parts`, in order; returns how many bytes were written, which may be fewer. */
  write(fd: number, parts: readonly Uint8Array[]): number
  /** fdatasync(2): resolves once what was written is on the device. */
  sync(fd: number): Promise<void>
  close(fd: number): void
  /** Deletes a file; fine when it is gone already. */
  remove(path: string): void
  /** rename(2): moves a file, byte for byte, to another directory of the same file system. */
  move(from: string, to: string): void
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
  write: (fd, parts) => writevSync(fd, parts),
  sync: (fd) =>
    new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve()))),
  close: (fd) => closeSync(fd),
  remove: (path) => rmSync(path, { force: true }),
  move: (from, to) => renameSync(from, to),
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

/** A file that reaches this size is closed to appends; it is deleted once all of it is stored. */
const rotateAfterBytes = 8 * 1024 * 1024
const fileName = (generation: number): string => `${generation.toString(16).padStart(16, '0')}.wal`
const generationOf = (name: string): number | null =>
  /^[0-9a-f]{16}\.wal$/.test(name) ? Number.parseInt(name.slice(0, 16), 16) : null

/** One file of the log as a previous process left it. */
export interface RecoveredFile {
  /** Its name, `<generation>.wal`, and its path. */
  name: string
  path: string
  /** Its records up to the first bad one, oldest first. */
  records: WalRecord[]
  /** Where and how its records break off; null when the file is whole. */
  damage: WalDamage | null
}

/** Reads the files a previous process left in `directory` (created when missing), oldest first. */
export function recoverWriteAheadLog(
  directory: string,
  fs: WalFileSystem = nodeWalFileSystem,
): RecoveredFile[] {
  fs.makeDirectory(directory)
  return fs
    .list(directory)
    .map((name) => ({ name, generation: generationOf(name) }))
    .filter((entry) => entry.generation !== null)
    .sort((a, b) => a.generation! - b.generation!)
    .map(({ name }) => {
      const path = join(directory, name)
      return { name, path, ...readWalFile(fs.read(path)) }
    })
}

// A record is written with one synchronous writev(2), so write-before-relay costs no round trip
// through a worker thread; LevelDB receives the same entries in larger batches a little later
// (puts are idempotent, so replaying records is safe).
// File: <directory>/<generation, 16 hex digits>.wal, a sequence of records (wal-record.ts).

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
   * Appends a record with one writev(2): once this returns, the record survives a crash of the
   * process. Throws when the write fails, and then nothing of the record counts as written.
   */
  append(roomName: Uint8Array, seq: number, update: Uint8Array): WalFile {
    const parts = encodeWalRecord(roomName, seq, update)
    const bytes = parts[0].length + parts[1].length
    const file = this.#current
    let written = 0
    try {
      written = this.#fs.write(file.fd, parts)
    } finally {
      // A failed or short write may leave part of a record behind, and recovery stops reading a
      // file at such a record: the records after it go to a new file.
      if (written !== bytes) this.#startNewFile()
    }
    if (written !== bytes) {
      throw new Error(`short write to the write-ahead log (${written} of ${bytes} bytes)`)
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
