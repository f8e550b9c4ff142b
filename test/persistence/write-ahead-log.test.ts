import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { appendFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { openLevelDbStore } from '../../persistence/leveldb-store.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { deferCleanup } from '../helpers/cleanup.js'

const fixture = fileURLToPath(new URL('fixtures/append-then-crash.ts', import.meta.url))

/** Three real Yjs updates, each inserting a word. */
function threeUpdates(): Uint8Array[] {
  const doc = new Y.Doc()
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  for (const word of ['one ', 'two ', 'three '])
    doc.getText('t').insert(doc.getText('t').length, word)
  return updates
}

/** Runs the fixture (append, maybe compact, SIGKILL) and checks that it really was killed. */
async function appendThenCrash(
  directory: string,
  updates: Uint8Array[],
  compactAfter = 0,
): Promise<void> {
  const hex = updates.map((update) => Buffer.from(update).toString('hex'))
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fixture, directory, String(compactAfter), ...hex],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const [, signal] = (await once(child, 'exit')) as [number | null, string | null]
  assert.equal(signal, 'SIGKILL')
  assert.match(output, /acknowledged/)
}

const walFiles = (directory: string): string[] =>
  readdirSync(join(directory, 'write-ahead-log')).map((name) =>
    join(directory, 'write-ahead-log', name),
  )

test('appends acknowledged just before a crash come back from the write-ahead log', async (t) => {
  const directory = await makeTempDir(t)
  const updates = threeUpdates()
  await appendThenCrash(directory, updates)
  // The crash came before any LevelDB batch: the appends exist only in the write-ahead log.
  assert.ok(walFiles(directory).some((path) => statSync(path).size > 0))

  const store = await openLevelDbStore({ directory })
  deferCleanup(t, () => store.close())
  const stored = await store.load('doc')
  assert.deepEqual(
    stored.log.map((update) => Buffer.from(update)),
    updates.map((u) => Buffer.from(u)),
  )
  assert.equal(stored.lastSeq, 3)
  assert.equal(await store.append('doc', updates[0]!), 4)
})

test('a record torn by a crash is ignored with a warning; the records before it are kept', async (t) => {
  const directory = await makeTempDir(t)
  const updates = threeUpdates()
  await appendThenCrash(directory, updates)
  const [file] = walFiles(directory)
  appendFileSync(file!, Uint8Array.of(0xc7, 0x40, 0, 0, 0, 3, 100))

  const problems: string[] = []
  const store = await openLevelDbStore({
    directory,
    onProblem: (message) => problems.push(message),
  })
  deferCleanup(t, () => store.close())
  assert.equal((await store.load('doc')).log.length, 3)
  assert.equal(problems.length, 1)
  assert.match(problems[0]!, /ignored 7 bytes at the end of the write-ahead log/)
})

test('replaying the log skips appends that a snapshot already covers', async (t) => {
  const directory = await makeTempDir(t)
  const updates = threeUpdates()
  // Two appends, a compaction through them, a third append, then the crash: all three are still
  // in the write-ahead log, but only the third is not in the snapshot.
  await appendThenCrash(directory, updates, 2)

  const store = await openLevelDbStore({ directory })
  deferCleanup(t, () => store.close())
  const stored = await store.load('doc')
  assert.deepEqual(stored.snapshot && [...stored.snapshot.update], [0, 0])
  assert.deepEqual(
    stored.log.map((update) => Buffer.from(update)),
    [Buffer.from(updates[2]!)],
  )
  assert.equal(stored.lastSeq, 3)
})

test('sequence numbers keep rising across a compaction and a reopen', async (t) => {
  const directory = await makeTempDir(t)
  const updates = threeUpdates()
  let store = await openLevelDbStore({ directory })
  await store.load('doc')
  await store.append('doc', updates[0]!)
  const seq = await store.append('doc', updates[1]!)
  await store.compact('doc', { update: Uint8Array.of(0, 0), stateVector: Uint8Array.of(0) }, seq)
  await store.close()

  store = await openLevelDbStore({ directory })
  deferCleanup(t, () => store.close())
  assert.equal((await store.load('doc')).lastSeq, 2)
  assert.equal(await store.append('doc', updates[2]!), 3)
})
