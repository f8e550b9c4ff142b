// Promise wrappers over the part of leveldown's callback API the store uses, and opening a
// database with errors meant for the operator. The only module that imports leveldown.
import leveldown, { type BatchOperation, type LevelDown } from 'leveldown'
import { makeDirectory } from './make-directory.js'

/** One put or delete of a batch (leveldown's type, re-exported: only this module imports it). */
export type { BatchOperation } from 'leveldown'

/**
 * The keys from `gt` (exclusive) or `gte` (inclusive) up to `lt` (exclusive), in key order; at
 * most `limit` of them when given.
 */
export type KeyRange = ({ gt: Buffer } | { gte: Buffer }) & { lt: Buffer; limit?: number }

/**
 * An open LevelDB database. The store owns it and closes it; tests may wrap one to inject
 * failures (`LevelDbStoreOptions.openDatabase`).
 */
export interface Database {
  /** The value of `key`, or undefined when there is none. */
  get(key: Buffer): Promise<Buffer | undefined>
  /** Writes all operations atomically, in order; with `sync`, only once they are on the device. */
  batch(operations: BatchOperation[], sync: boolean): Promise<void>
  /** Every entry in `range`, in key order. */
  readRange(range: KeyRange): Promise<Array<{ key: Buffer; value: Buffer }>>
  /** The keys of `range` without their values (which LevelDB then does not copy), in order. */
  readKeys(range: KeyRange): Promise<Buffer[]>
  /** Closes the database; leveldown crashes the process when used after this, so nothing may. */
  close(): Promise<void>
}

const isNotFound = (error: Error): boolean => /NotFound/i.test(error.message)

/** Runs a leveldown call that takes a completion callback as a promise. */
const call = (start: (callback: (error: Error | undefined) => void) => void): Promise<void> =>
  new Promise((resolve, reject) => start((error) => (error ? reject(error) : resolve())))

/** The directory's LevelDB is held by another process (LevelDB allows one at a time). */
export class StoreInUseError extends Error {
  override readonly name = 'StoreInUseError'
  readonly directory: string

  constructor(directory: string, options: { cause: unknown }) {
    super(
      `the data directory ${directory} is locked by another running server; stop it or choose another data directory`,
      options,
    )
    this.directory = directory
  }
}

/**
 * Opens the LevelDB database in `directory`, creating the directory and its parents when missing.
 * Rejects with a message naming the directory when it cannot be created or opened, or with a StoreInUseError
 * when another running server holds it.
 */
export async function openDatabase(directory: string): Promise<Database> {
  try {
    await makeDirectory(directory)
  } catch (error) {
    throw new Error(`cannot create the data directory ${directory}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  return new ReopeningDatabase(directory, await openLevelDown(directory))
}

async function openLevelDown(directory: string): Promise<LevelDown> {
  const db = leveldown(directory)
  try {
    await call((done) => db.open({ createIfMissing: true }, done))
  } catch (error) {
    const message = (error as Error).message
    if (/LOCK/.test(message) && /unavailable|already held/i.test(message)) {
      throw new StoreInUseError(directory, { cause: error })
    }
    throw new Error(`cannot open the LevelDB store in ${directory}: ${message}`, { cause: error })
  }
  return db
}

/**
 * A database that comes back after a failed write. LevelDB refuses every write after one failed
 * (a full disk, say) until it is opened again, so a write that fails closes it, and the next
 * write opens it afresh first; reads wait meanwhile. Calls never overlap a close, as leveldown
 * crashes the process when used after one.
 */
class ReopeningDatabase implements Database {
  readonly #directory: string
  #db: LevelDown | null
  #mustReopen = false
  #calls = 0
  #callsDone: Array<() => void> = []
  #reopening: Promise<void> | null = null
  #isClosed = false

  constructor(directory: string, db: LevelDown) {
    this.#directory = directory
    this.#db = db
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    return this.#use(
      false,
      (db) =>
        new Promise((resolve, reject) =>
          db.get(key, { asBuffer: true }, (error, value) => {
            if (!error) resolve(value)
            else if (isNotFound(error)) resolve(undefined)
            else reject(error)
          }),
        ),
    )
  }

  async batch(operations: BatchOperation[], sync: boolean): Promise<void> {
    try {
      await this.#use(true, (db) => call((done) => db.batch(operations, { sync }, done)))
    } catch (error) {
      this.#mustReopen = true
      throw error
    }
  }

  readRange(range: KeyRange): Promise<Array<{ key: Buffer; value: Buffer }>> {
    return this.#use(false, (db) => readRange(db, range, true))
  }

  async readKeys(range: KeyRange): Promise<Buffer[]> {
    const entries = await this.#use(false, (db) => readRange(db, range, false))
    return entries.map((entry) => entry.key)
  }

  async close(): Promise<void> {
    this.#isClosed = true
    await this.#reopening?.catch(() => undefined)
    await this.#idle()
    const db = this.#db
    this.#db = null
    if (db) await call((done) => db.close(done))
  }

  async #use<T>(isWrite: boolean, run: (db: LevelDown) => Promise<T>): Promise<T> {
    if (this.#isClosed) throw new Error('the LevelDB database is closed')
    while (this.#reopening || (isWrite && this.#mustReopen) || !this.#db) {
      this.#reopening ??= this.#reopen().finally(() => {
        this.#reopening = null
      })
      await this.#reopening
    }
    this.#calls++
    try {
      return await run(this.#db)
    } finally {
      this.#calls--
      if (this.#calls === 0) for (const resolve of this.#callsDone.splice(0)) resolve()
    }
  }

  async #reopen(): Promise<void> {
    await this.#idle()
    const db = this.#db
    this.#db = null
    if (db) await call((done) => db.close(done))
    this.#db = await openLevelDown(this.#directory)
    this.#mustReopen = false
  }

  #idle(): Promise<void> {
    if (this.#calls === 0) return Promise.resolve()
    return new Promise((resolve) => this.#callsDone.push(resolve))
  }
}

async function readRange(
  db: LevelDown,
  range: KeyRange,
  withValues: boolean,
): Promise<Array<{ key: Buffer; value: Buffer }>> {
  const iterator = db.iterator({
    ...range,
    values: withValues,
    keyAsBuffer: true,
    valueAsBuffer: true,
  })
  const entries: Array<{ key: Buffer; value: Buffer }> = []
  const next = (): Promise<{ key: Buffer; value: Buffer } | undefined> =>
    new Promise((resolve, reject) =>
      iterator.next((error, key, value) => {
        if (error) reject(error)
        else resolve(key ? { key, value: value ?? Buffer.alloc(0) } : undefined)
      }),
    )
  try {
    for (let entry = await next(); entry; entry = await next()) entries.push(entry)
  } finally {
    await call((done) => iterator.end(done))
  }
  return entries
}
