// Promise wrappers over the part of leveldown's callback API the store uses, and opening a
// database with errors meant for the operator. The only module that imports leveldown.
import leveldown, { type BatchOperation, type LevelDown } from 'leveldown'
import { makeDirectory } from './make-directory.js'

/** One put or delete of a batch (leveldown's type, re-exported: only this module imports it). */
export type { BatchOperation } from 'leveldown'

/**
 * An open LevelDB database. The store owns it and closes it; tests may wrap one to inject
 * failures (`LevelDbStoreOptions.openDatabase`).
 */
export interface Database {
  /** The value of `key`, or undefined when there is none. */
  get(key: Buffer): Promise<Buffer | undefined>
  /** Writes all operations atomically, in order; with `sync`, only once they are on the device. */
  batch(operations: BatchOperation[], sync: boolean): Promise<void>
  /** Every entry with `gt < key < lt`, in key order. */
  readRange(range: { gt: Buffer; lt: Buffer }): Promise<Array<{ key: Buffer; value: Buffer }>>
  /** Closes the database; leveldown crashes the process when used after this, so nothing may. */
  close(): Promise<void>
}

const isNotFound = (error: Error): boolean => /NotFound/i.test(error.message)

/** Runs a leveldown call that takes a completion callback as a promise. */
const call = (start: (callback: (error: Error | undefined) => void) => void): Promise<void> =>
  new Promise((resolve, reject) => start((error) => (error ? reject(error) : resolve())))

/**
 * Opens the LevelDB database in `directory`, creating the directory and its parents when missing.
 * Rejects with a message naming the directory when it cannot be created or opened, or is locked
 * by another running server.
 */
export async function openDatabase(directory: string): Promise<Database> {
  try {
    await makeDirectory(directory)
  } catch (error) {
    throw new Error(`cannot create the data directory ${directory}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  const db = leveldown(directory)
  try {
    await call((done) => db.open({ createIfMissing: true }, done))
  } catch (error) {
    const message = (error as Error).message
    if (/LOCK/.test(message) && /unavailable|already held/i.test(message)) {
      throw new Error(
        `the data directory ${directory} is locked by another running server; stop it or choose another data directory`,
        { cause: error },
      )
    }
    throw new Error(`cannot open the LevelDB store in ${directory}: ${message}`, { cause: error })
  }
  return wrap(db)
}

function wrap(db: LevelDown): Database {
  return {
    get: (key) =>
      new Promise((resolve, reject) =>
        db.get(key, { asBuffer: true }, (error, value) => {
          if (!error) resolve(value)
          else if (isNotFound(error)) resolve(undefined)
          else reject(error)
        }),
      ),
    batch: (operations, sync) => call((done) => db.batch(operations, { sync }, done)),
    readRange: (range) => readRange(db, range),
    close: () => call((done) => db.close(done)),
  }
}

async function readRange(
  db: LevelDown,
  range: { gt: Buffer; lt: Buffer },
): Promise<Array<{ key: Buffer; value: Buffer }>> {
  const iterator = db.iterator({ ...range, keyAsBuffer: true, valueAsBuffer: true })
  const entries: Array<{ key: Buffer; value: Buffer }> = []
  const next = (): Promise<{ key: Buffer; value: Buffer } | undefined> =>
    new Promise((resolve, reject) =>
      iterator.next((error, key, value) => {
        if (error) reject(error)
        else resolve(key && value ? { key, value } : undefined)
      }),
    )
  try {
    for (let entry = await next(); entry; entry = await next()) entries.push(entry)
  } finally {
    await call((done) => iterator.end(done))
  }
  return entries
}
