// Crashes around the document calls: what replay of the write-ahead log brings back, and what it
// must not (the appends of a deleted or imported document), and the meta record and index entry
// of a document whose first appends reached only the write-ahead log.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { statSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { openLevelDbStore } from '../../persistence/leveldb/store.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { appendThenCrash, threeUpdates, walFiles } from './fixtures/wal-crash.js'

const fixture = fileURLToPath(new URL('fixtures/rewrite-then-crash.ts', import.meta.url))
const allQuery = { prefix: '', limit: 10, after: null }

/** Runs the fixture (append to "doc", evict, delete or import, SIGKILL) in a child process. */
async function rewriteThenCrash(
  directory: string,
  mode: 'delete' | 'import',
  updates: Uint8Array[],
): Promise<void> {
  const hex = updates.map((update) => Buffer.from(update).toString('hex'))
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, directory, mode, ...hex], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const [, signal] = (await once(child, 'exit')) as [number | null, string | null]
  assert.equal(signal, 'SIGKILL')
  assert.match(output, /done/)
  // The appends are still in the write-ahead log: replay sees them.
  assert.ok(walFiles(directory).some((path) => statSync(path).size > 0))
}

test('after a crash, replay does not bring back the appends of a deleted document', async (t) => {
  const directory = await makeTempDir(t)
  await rewriteThenCrash(directory, 'delete', threeUpdates())

  const store = await openLevelDbStore({ directory })
  deferCleanup(t, () => store.close())
  assert.equal(await store.documentInfo('doc'), null)
  assert.deepEqual((await store.listDocuments(allQuery)).documents, [])
  assert.deepEqual(await store.load('doc'), { compacted: null, log: [], lastSeq: 3 })
  assert.equal(await store.append('doc', Uint8Array.of(0, 0)), 4, 'sequence numbers go on')
})

test('after a crash, replay does not bring back the appends an import dropped', async (t) => {
  const directory = await makeTempDir(t)
  await rewriteThenCrash(directory, 'import', threeUpdates())

  const store = await openLevelDbStore({ directory })
  deferCleanup(t, () => store.close())
  assert.deepEqual(await store.documentInfo('doc'), {
    name: 'doc',
    bytes: 2,
    createdAtMs: 1,
    updatedAtMs: 2,
  })
  const loaded = await store.load('doc')
  assert.deepEqual(loaded.compacted && [...loaded.compacted.update], [0, 0])
  assert.deepEqual(loaded.log, [])
  assert.equal(loaded.lastSeq, 3)
})

test('a document whose first appends reached only the write-ahead log is listed after replay', async (t) => {
  const directory = await makeTempDir(t)
  const updates = threeUpdates()
  const startedAtMs = Date.now()
  await appendThenCrash(directory, updates)

  const store = await openLevelDbStore({ directory })
  deferCleanup(t, () => store.close())
  const info = await store.documentInfo('doc')
  const bytes = updates.reduce((sum, update) => sum + update.length, 0)
  assert.equal(info?.bytes, bytes)
  assert.ok(info.createdAtMs >= startedAtMs, 'dated when replayed: the log holds no times')
  assert.deepEqual((await store.listDocuments(allQuery)).documents, [info])
})
