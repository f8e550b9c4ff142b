// A LevelDB batch that fails, injected through the store's `openDatabase` seam.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import * as Y from 'yjs'
import {
  type BatchOperation,
  type Database,
  openDatabase,
} from '../../persistence/leveldb/database.js'
import { openLevelDbStore } from '../../persistence/leveldb/store.js'
import type { DocStore, EncodedState } from '../../persistence/store.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

/** The real database, except that the first batch after `failNextBatch()` fails. */
interface FaultyDatabase {
  failNextBatch(): void
  /** The operations of each batch that was written, and of each that failed. */
  written: BatchOperation[][]
  failed: BatchOperation[][]
  open: (directory: string) => Promise<Database>
}

function faultyDatabase(): FaultyDatabase {
  let failing = false
  const faulty: FaultyDatabase = {
    failNextBatch: () => (failing = true),
    written: [],
    failed: [],
    open: async (directory) => {
      const db = await openDatabase(directory)
      return {
        get: (key) => db.get(key),
        readRange: (range) => db.readRange(range),
        readKeys: (range) => db.readKeys(range),
        close: () => db.close(),
        batch: async (operations, sync) => {
          if (failing) {
            failing = false
            faulty.failed.push(operations)
            throw new Error('injected: IO error: disk full')
          }
          await db.batch(operations, sync)
          faulty.written.push(operations)
        },
      }
    },
  }
  return faulty
}

/** A store over `faulty` whose problems are collected; closed after the test. */
async function openFaultyStore(
  t: TestContext,
  directory: string,
  faulty: FaultyDatabase,
): Promise<{ store: DocStore; problems: Array<{ message: string; error?: Error }> }> {
  const problems: Array<{ message: string; error?: Error }> = []
  const store = await openLevelDbStore({
    directory,
    openDatabase: faulty.open,
    onProblem: (message, error) => problems.push({ message, error }),
  })
  deferCleanup(t, () => store.close())
  return { store, problems }
}

/** Updates inserting each word in turn into one document, and that document's state after all. */
function wordUpdates(words: string[]): { updates: Uint8Array[]; state: EncodedState } {
  const doc = new Y.Doc()
  const updates = words.map((word) => {
    const before = Y.encodeStateVector(doc)
    doc.getText('text').insert(doc.getText('text').length, word)
    return Y.encodeStateAsUpdate(doc, before)
  })
  return {
    updates,
    state: { update: Y.encodeStateAsUpdate(doc), stateVector: Y.encodeStateVector(doc) },
  }
}

const hasKey = (batches: BatchOperation[][], key: string): boolean =>
  batches.some((operations) => operations.some((operation) => operation.key.toString() === key))
const logKey = (seq: number): string => `v1\0doc\0log\0${seq.toString(16).padStart(16, '0')}`
const bytes = (arrays: Uint8Array[]): Buffer[] => arrays.map((array) => Buffer.from(array))

test('a failed LevelDB batch is reported, its appends are retried into LevelDB and its compaction rejects', async (t) => {
  const directory = await makeTempDir(t)
  const faulty = faultyDatabase()
  const { store, problems } = await openFaultyStore(t, directory, faulty)
  await store.load('doc')
  const { updates, state } = wordUpdates(['one ', 'two '])

  faulty.failNextBatch()
  // Both appends and the compaction are queued before the batch delay ends: one batch.
  assert.deepEqual(await Promise.all(updates.map((update) => store.append('doc', update))), [1, 2])
  await assert.rejects(store.compact('doc', state, 2), /injected: IO error/)
  assert.ok(hasKey(faulty.failed, logKey(1)) && hasKey(faulty.failed, logKey(2)))
  assert.ok(hasKey(faulty.failed, 'v1\0doc\0snapshot'), 'the compaction was in the failed batch')

  assert.equal(problems.length, 1)
  assert.match(
    problems[0]!.message,
    /a LevelDB write failed; appends are kept in the write-ahead log and retried/,
  )
  assert.match(problems[0]!.error?.message ?? '', /injected: IO error/)

  // The retry comes on its own, without a load or close urging it.
  await until(() => hasKey(faulty.written, logKey(1)) && hasKey(faulty.written, logKey(2)), {
    what: 'the failed appends to be written again',
  })
  assert.ok(!hasKey(faulty.written, 'v1\0doc\0snapshot'), 'the failed compaction is not retried')
  // Closing deletes the write-ahead log, so what a reopened store loads is only what is in LevelDB.
  await store.close()

  const reopened = await openLevelDbStore({ directory })
  deferCleanup(t, () => reopened.close())
  const loaded = await reopened.load('doc')
  assert.equal(loaded.compacted, null)
  assert.deepEqual(bytes(loaded.log), bytes(updates))
  assert.equal(loaded.lastSeq, 2)
})

test('a compaction retried after a failed batch deletes the entries the failed one covered', async (t) => {
  const directory = await makeTempDir(t)
  const faulty = faultyDatabase()
  const { store } = await openFaultyStore(t, directory, faulty)
  await store.load('doc')
  const { updates, state } = wordUpdates(['one ', 'two ', 'three '])

  await store.append('doc', updates[0]!)
  faulty.failNextBatch()
  await assert.rejects(store.compact('doc', wordUpdates(['one ']).state, 1), /injected/)
  await store.append('doc', updates[1]!)
  const last = await store.append('doc', updates[2]!)
  // The room retries the compaction, now through the last entry.
  await store.compact('doc', state, last)
  await store.close()

  const reopened = await openLevelDbStore({ directory })
  deferCleanup(t, () => reopened.close())
  const loaded = await reopened.load('doc')
  assert.deepEqual(bytes(loaded.log), [], 'no entry the compacted state covers is left in the log')
  assert.deepEqual(
    loaded.compacted && Buffer.from(loaded.compacted.update),
    Buffer.from(state.update),
  )
  assert.equal(loaded.lastSeq, last)
})

test('a failed compaction leaves the size documentInfo gives as it was', async (t) => {
  const directory = await makeTempDir(t)
  const faulty = faultyDatabase()
  const { store } = await openFaultyStore(t, directory, faulty)
  await store.load('doc')
  const { updates, state } = wordUpdates(['one ', 'two '])
  for (const update of updates) await store.append('doc', update)
  const before = await store.documentInfo('doc')
  assert.equal(before?.bytes, updates[0]!.length + updates[1]!.length)

  faulty.failNextBatch()
  await assert.rejects(store.compact('doc', state, 2), /injected/)
  assert.deepEqual(await store.documentInfo('doc'), before)
})
