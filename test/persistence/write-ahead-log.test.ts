import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { test } from 'node:test'
import { openLevelDbStore } from '../../persistence/leveldb/store.js'
import { encodeRoomName } from '../../persistence/leveldb/wal-record.js'
import {
  type WalFileSystem,
  WriteAheadLog,
  nodeWalFileSystem,
  recoverWriteAheadLog,
} from '../../persistence/leveldb/write-ahead-log.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import {
  appendThenCrash,
  collectProblems,
  keptDirectory,
  recordBytes,
  threeUpdates,
  walFiles,
} from './fixtures/wal-crash.js'

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
  assert.equal(existsSync(join(directory, 'write-ahead-log-damaged')), false, 'nothing kept aside')
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
    write: (fd, parts) => {
      writes++
      if (writes !== cutAt) return nodeWalFileSystem.write(fd, parts)
      const written = nodeWalFileSystem.write(fd, [Buffer.concat(parts).subarray(0, keepBytes)])
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
    const files = recoverWriteAheadLog(directory)
    deferCleanup(t, () => wal.close())
    assert.deepEqual(
      files.flatMap(({ records }) => records).map(({ seq, update }) => [seq, Buffer.from(update)]),
      [
        [1, Buffer.from(one!)],
        [2, Buffer.from(three!)],
        [3, Buffer.from(one!)],
      ],
      'every record appended without error is recovered, none of the cut one',
    )
    assert.deepEqual(
      files.map(({ damage }) => damage && { offset: damage.offset, skipped: damage.skippedBytes }),
      [{ offset: recordBytes(room, 1, one!).length, skipped: 9 }, null],
      'the part of the cut record is ignored',
    )
  })
}

test('after an append whose write was cut short, the appends after it come back after a crash', async (t) => {
  const directory = await makeTempDir(t)
  const updates = threeUpdates()
  const output = await appendThenCrash(directory, updates, { cutShort: 2 })
  assert.match(output, /^rejected 2$/m, 'the append whose write was cut short rejected')
  assert.doesNotMatch(output, /rejected [13]/)

  const [older] = walFiles(directory)
  const cutFile = readFileSync(older!)

  const { problems, onProblem } = collectProblems()
  const store = await openLevelDbStore({ directory, onProblem })
  deferCleanup(t, () => store.close())
  const stored = await store.load('doc')
  assert.deepEqual(
    stored.log.map((update) => Buffer.from(update)),
    [Buffer.from(updates[0]!), Buffer.from(updates[2]!)],
  )
  assert.equal(stored.lastSeq, 2, 'the rejected append used up no sequence number')

  // Not the newest file, so not a torn write at a crash: the store cannot tell it from damage.
  const room = encodeRoomName('doc')
  const firstBytes = recordBytes(room, 1, updates[0]!).length
  const cutBytes = recordBytes(room, 2, updates[1]!).length
  const writtenBytes = cutBytes >> 1
  const kept = join(keptDirectory(directory), basename(older!))
  assert.deepEqual(problems, [
    {
      level: 'error',
      message:
        `write-ahead-log file 0000000000000001.wal is damaged: record 2 (at byte ${firstBytes}) ` +
        `is cut short (its header gives ${cutBytes - 9} body bytes and ${writtenBytes - 9} follow), ` +
        `and newer files follow it. Replayed: 1 record before it. Not replayed: the last ` +
        `${writtenBytes} bytes of the file: that record, cut short. The file is kept in ${kept}`,
    },
  ])
  assert.deepEqual(readFileSync(kept), cutFile, 'the file is kept byte for byte')
})
