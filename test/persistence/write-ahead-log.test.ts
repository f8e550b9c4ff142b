import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { appendFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { openLevelDbStore } from '../../persistence/leveldb/store.js'
import {
  type WalFileSystem,
  WriteAheadLog,
  encodeRoomName,
  nodeWalFileSystem,
  recoverWriteAheadLog,
} from '../../persistence/leveldb/write-ahead-log.js'
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

/**
 * Runs the fixture (append, maybe compact, SIGKILL), checks that it really was killed and returns
 * what it printed. `cutShort` is the number of the append whose write is cut short.
 */
async function appendThenCrash(
  directory: string,
  updates: Uint8Array[],
  { compactAfter = 0, cutShort = 0 } = {},
): Promise<string> {
  const hex = updates.map((update) => Buffer.from(update).toString('hex'))
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fixture, directory, String(compactAfter), String(cutShort), ...hex],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const [, signal] = (await once(child, 'exit')) as [number | null, string | null]
  assert.equal(signal, 'SIGKILL')
  assert.match(output, /acknowledged/)
  return output
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

test('replaying the log skips appends that the compacted state already covers', async (t) => {
  const directory = await makeTempDir(t)
  const updates = threeUpdates()
  // Two appends, a compaction through them, a third append, then the crash: all three are still
  // in the write-ahead log, but only the third is not in the compacted state.
  await appendThenCrash(directory, updates, { compactAfter: 2 })

  const store = await openLevelDbStore({ directory })
  deferCleanup(t, () => store.close())
  const stored = await store.load('doc')
  assert.deepEqual(stored.compacted && [...stored.compacted.update], [0, 0])
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

/**
 * node:fs, except that write number `cutAt` writes only the first `keepBytes` of its record and
 * then returns that count, or throws as a failing disk would.
 */
function cuttingWrite(cutAt: number, keepBytes: number, how: 'returns' | 'throws'): WalFileSystem {
  let writes = 0
  return {
    ...nodeWalFileSystem,
    write: (fd, bytes) => {
      writes++
      if (writes !== cutAt) return nodeWalFileSystem.write(fd, bytes)
      const written = nodeWalFileSystem.write(fd, bytes.subarray(0, keepBytes))
      if (how === 'throws') throw new Error('EIO: i/o error, write')
      return written
    },
  }
}

for (const how of ['returns', 'throws'] as const) {
  test(`a write cut short (the write ${how}) fails its append; later appends go to a new file and are recovered`, async (t) => {
    const directory = await makeTempDir(t)
    const [one, two, three] = threeUpdates()
    const room = encodeRoomName('doc')
    const wal = new WriteAheadLog(directory, cuttingWrite(2, 9, how))
    wal.append(room, 1, one!)
    assert.throws(() => wal.append(room, 2, two!), how === 'returns' ? /short write/ : /EIO/)
    wal.append(room, 2, three!)
    wal.append(room, 3, one!)

    assert.equal(
      readdirSync(directory).length,
      2,
      'the appends after the cut one are in a new file',
    )

    // A crash: the log is never closed, and what it wrote is what a new process finds.
    const recovered = recoverWriteAheadLog(directory)
    deferCleanup(t, () => wal.close())
    assert.deepEqual(
      recovered.records.map(({ seq, update }) => [seq, Buffer.from(update)]),
      [
        [1, Buffer.from(one!)],
        [2, Buffer.from(three!)],
        [3, Buffer.from(one!)],
      ],
      'every record appended without error is recovered, none of the cut one',
    )
    assert.equal(recovered.ignoredBytes, 9, 'the part of the cut record is ignored')
  })
}

test('after an append whose write was cut short, the appends after it come back after a crash', async (t) => {
  const directory = await makeTempDir(t)
  const updates = threeUpdates()
  const output = await appendThenCrash(directory, updates, { cutShort: 2 })
  assert.match(output, /^rejected 2$/m, 'the append whose write was cut short rejected')
  assert.doesNotMatch(output, /rejected [13]/)

  const problems: string[] = []
  const store = await openLevelDbStore({
    directory,
    onProblem: (message) => problems.push(message),
  })
  deferCleanup(t, () => store.close())
  const stored = await store.load('doc')
  assert.deepEqual(
    stored.log.map((update) => Buffer.from(update)),
    [Buffer.from(updates[0]!), Buffer.from(updates[2]!)],
  )
  assert.equal(stored.lastSeq, 2, 'the rejected append used up no sequence number')
  assert.equal(problems.length, 1)
  assert.match(problems[0]!, /ignored \d+ bytes at the end of the write-ahead log/)
})
