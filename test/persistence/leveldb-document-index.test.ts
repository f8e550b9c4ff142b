// The LevelDB store's document index: built once for a store from before it, read (with `meta`)
// by listDocuments without touching a log, and written with a room's first batch only.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import {
  type BatchOperation,
  type Database,
  type KeyRange,
  openDatabase,
} from '../../persistence/leveldb/database.js'
import { openLevelDbStore } from '../../persistence/leveldb/store.js'
import type { DocStore } from '../../persistence/store.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { makeTempDir } from '../helpers/tmp-dir.js'

const seqHex = (seq: number): string => seq.toString(16).padStart(16, '0')
const key = (text: string): Buffer => Buffer.from(text)
const indexPrefix = 'v1\0\0document\0'
const allQuery = { prefix: '', limit: 100, after: null }

/** What a store did with its database: each read, and each batch written or failed. */
interface Recording {
  reads: Array<{ call: 'get'; key: Buffer } | { call: 'range'; range: KeyRange }>
  written: BatchOperation[][]
  failNextBatch: () => void
  open: (directory: string) => Promise<Database>
}

function recordingDatabase(): Recording {
  let isFailing = false
  const recording: Recording = {
    reads: [],
    written: [],
    failNextBatch: () => (isFailing = true),
    open: async (directory) => {
      const db = await openDatabase(directory)
      return {
        get: (key) => (recording.reads.push({ call: 'get', key }), db.get(key)),
        readRange: (range) => (recording.reads.push({ call: 'range', range }), db.readRange(range)),
        readKeys: (range) => (recording.reads.push({ call: 'range', range }), db.readKeys(range)),
        close: () => db.close(),
        batch: async (operations, sync) => {
          if (isFailing) {
            isFailing = false
            throw new Error('injected: IO error')
          }
          await db.batch(operations, sync)
          recording.written.push(operations)
        },
      }
    },
  }
  return recording
}

async function openStore(
  t: TestContext,
  directory: string,
  recording?: Recording,
): Promise<DocStore> {
  const store = await openLevelDbStore({
    directory,
    openDatabase: recording?.open,
    onProblem: () => undefined,
  })
  deferCleanup(t, () => store.close())
  return store
}

/** Writes keys into a closed store's directory, as a previous version of the store left them. */
async function writeRaw(directory: string, entries: Array<[string, string]>): Promise<void> {
  const db = await openDatabase(directory)
  const operations = entries.map(([k, value]): BatchOperation => {
    return { type: 'put', key: key(k), value: Buffer.from(value) }
  })
  await db.batch(operations, true)
  await db.close()
}

const meta = (createdAtMs: number, snapshotBytes: number, logBytes: number): string =>
  JSON.stringify({
    createdAtMs,
    updatedAtMs: createdAtMs + 1,
    snapshotBytes,
    logBytes,
    logEntries: 1,
  })

test('a store written before the document index gets one when opened, once', async (t) => {
  const directory = await makeTempDir(t)
  // The layout of the previous version: meta, compacted state and log; no index, no record.
  await writeRaw(directory, [
    ['v1\0\0record\0revocations', '{}'],
    ['v1\0old\0log\0' + seqHex(2), 'xy'],
    ['v1\0old\0meta', meta(1000, 3, 2)],
    ['v1\0old\0snapshot', 'abc'],
    ['v1\0old\0snapshot-seq', seqHex(1)],
    ['v1\0old\0snapshot-vector', 'v'],
    ['v1\0old/a\0meta', meta(2000, 0, 5)],
    ['v1\0old/a\0log\0' + seqHex(1), 'hello'],
    ['v1\0older\0meta', meta(3000, 0, 1)],
    ['v1\0older\0log\0' + seqHex(1), 'h'],
    // A log without a meta record is no document the index lists.
    ['v1\0unlisted\0log\0' + seqHex(1), 'h'],
  ])
  const recording = recordingDatabase()
  const store = await openStore(t, directory, recording)
  const ranges = recording.reads.flatMap((read) => (read.call === 'range' ? [read.range] : []))
  assert.ok(ranges.length > 0 && ranges.every((range) => range.limit === 1), 'one key per room')
  assert.deepEqual((await store.listDocuments(allQuery)).documents, [
    { name: 'old', bytes: 5, createdAtMs: 1000, updatedAtMs: 1001 },
    { name: 'old/a', bytes: 5, createdAtMs: 2000, updatedAtMs: 2001 },
    { name: 'older', bytes: 1, createdAtMs: 3000, updatedAtMs: 3001 },
  ])
  const record = await store.readRecord('document-index')
  const built = JSON.parse(new TextDecoder().decode(record ?? new Uint8Array())) as unknown
  assert.deepEqual(Object.keys(built as object), ['builtAtMs', 'documents'])
  assert.equal((built as { documents: number }).documents, 3)
  await store.close()

  // Built once: a meta record without an index entry is no longer looked for.
  await writeRaw(directory, [['v1\0late\0meta', meta(4000, 0, 0)]])
  const reopened = await openStore(t, directory)
  const names = (await reopened.listDocuments(allQuery)).documents.map((info) => info.name)
  assert.deepEqual(names, ['old', 'old/a', 'older'])
})

test('listDocuments reads index entries and meta records, never a log', async (t) => {
  const directory = await makeTempDir(t)
  const recording = recordingDatabase()
  const store = await openStore(t, directory, recording)
  for (const name of ['a', 'b', 'c']) {
    await store.load(name)
    for (let i = 0; i < 10; i++) await store.append(name, Uint8Array.of(0, 0))
    store.evict(name)
  }
  recording.reads.length = 0
  const page = await store.listDocuments({ prefix: '', limit: 2, after: null })
  assert.deepEqual(
    page.documents.map((info) => [info.name, info.bytes]),
    [
      ['a', 20],
      ['b', 20],
    ],
  )
  assert.equal(page.next, 'b')
  const touched = recording.reads.map((read) =>
    read.call === 'get'
      ? read.key.toString()
      : ('gt' in read.range ? read.range.gt : read.range.gte).toString(),
  )
  assert.deepEqual(touched, [indexPrefix, 'v1\0a\0meta', 'v1\0b\0meta'])
})

test('a room writes its index entry with its first batch only, and an import writes it too', async (t) => {
  const directory = await makeTempDir(t)
  const recording = recordingDatabase()
  const store = await openStore(t, directory, recording)
  await store.load('doc')
  for (let i = 0; i < 200; i++) await store.append('doc', Uint8Array.of(0, 0))
  await store.compact('doc', { update: Uint8Array.of(0, 0), stateVector: Uint8Array.of(0) }, 200)
  store.evict('doc')
  await store.load('doc')
  await store.append('doc', Uint8Array.of(0, 0))
  await store.close()
  const indexPuts = (name: string): number =>
    recording.written
      .flat()
      .filter(
        (operation) => operation.type === 'put' && operation.key.equals(key(indexPrefix + name)),
      ).length
  assert.equal(indexPuts('doc'), 1)

  const reopened = await openStore(t, directory, recording)
  await reopened.importDocument('imported', {
    state: { update: Uint8Array.of(0, 0), stateVector: Uint8Array.of(0) },
    createdAtMs: 1,
    updatedAtMs: 2,
  })
  assert.equal(indexPuts('imported'), 1)
})

test('a room whose first batch failed gets its meta record and index entry with a retry at once', async (t) => {
  const directory = await makeTempDir(t)
  const recording = recordingDatabase()
  const store = await openStore(t, directory, recording)
  await store.load('doc')
  recording.failNextBatch()
  await store.append('doc', Uint8Array.of(1, 2, 3))
  // Each record write has the batch written at once: the first fails, the second is the retry,
  // well within the interval that spaces a room's meta records.
  await assert.rejects(store.writeRecord('first', Uint8Array.of(1)), /injected/)
  await store.writeRecord('second', Uint8Array.of(2))
  const retry = recording.written.at(-1)!.map((operation) => operation.key.toString())
  assert.ok(retry.includes('v1\0doc\0meta'), 'the meta record')
  assert.ok(retry.includes(`${indexPrefix}doc`), 'the index entry')
  assert.deepEqual(
    (await store.listDocuments(allQuery)).documents.map((info) => info.name),
    ['doc'],
  )
})
