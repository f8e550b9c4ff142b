// Replay of a damaged write-ahead log: checksums keep a damaged record out of LevelDB, the file is
// kept aside byte for byte, and the report says exactly what was not replayed. Real LevelDB, real
// files, a real crash (fixtures/append-then-crash.ts).
import assert from 'node:assert/strict'
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { openLevelDbStore } from '../../persistence/leveldb/store.js'
import { encodeRoomName } from '../../persistence/leveldb/wal-record.js'
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

const checkedHeaderBytes = 9
const docRoom = encodeRoomName('doc')

/** A record of the format before checksums: u8 0xC7 · u32le body length · body. */
function legacyRecord(room: string, seq: number, update: Uint8Array): Buffer {
  const seqBytes = Buffer.alloc(8)
  seqBytes.writeDoubleLE(seq)
  const body = Buffer.concat([encodeRoomName(room), seqBytes, update])
  const header = Buffer.alloc(5)
  header[0] = 0xc7
  header.writeUInt32LE(body.length, 1)
  return Buffer.concat([header, body])
}

/** Writes `<data>/write-ahead-log/<16 hex digits of generation>.wal` as a crash would leave it. */
function writeWalFile(directory: string, generation: number, bytes: Uint8Array): void {
  mkdirSync(join(directory, 'write-ahead-log'), { recursive: true })
  const name = `${generation.toString(16).padStart(16, '0')}.wal`
  writeFileSync(join(directory, 'write-ahead-log', name), bytes)
}

const asBuffers = (updates: Uint8Array[]): Buffer[] => updates.map((update) => Buffer.from(update))

test('a record whose update has a flipped byte is not replayed: LevelDB keeps the good copy', async (t) => {
  const directory = await makeTempDir(t)
  const updates = threeUpdates()
  // LevelDB stores the three appends, then the crash leaves them in the write-ahead log too.
  await appendThenCrash(directory, updates, { storeFirst: true })
  const [file] = walFiles(directory)
  const damaged = readFileSync(file!)
  const firstBytes = recordBytes(docRoom, 1, updates[0]!).length
  const secondBytes = recordBytes(docRoom, 2, updates[1]!).length
  const secondUpdateAt = firstBytes + checkedHeaderBytes + docRoom.length + 8
  damaged[secondUpdateAt + 1]! ^= 0x10
  writeFileSync(file!, damaged)

  const { problems, onProblem } = collectProblems()
  const store = await openLevelDbStore({ directory, onProblem })
  deferCleanup(t, () => store.close())
  const stored = await store.load('doc')
  assert.deepEqual(asBuffers(stored.log), asBuffers(updates), 'the stored copies stay good')

  const kept = join(keptDirectory(directory), '0000000000000001.wal')
  assert.deepEqual(readFileSync(kept), damaged, 'the damaged file is kept byte for byte')
  assert.deepEqual(problems, [
    {
      level: 'error',
      message:
        `write-ahead-log file 0000000000000001.wal is damaged: record 2 (at byte ${firstBytes}) ` +
        `fails its checksum. Replayed: 1 record before it. Not replayed: the last ` +
        `${damaged.length - firstBytes} bytes of the file: that record (${secondBytes} bytes) and ` +
        `1 record after it (1 of room "doc"). The file is kept in ${kept}`,
    },
  ])
})

test('a record cut short at the end of the newest file is a torn write: one warning, file kept', async (t) => {
  const directory = await makeTempDir(t)
  const updates = threeUpdates()
  await appendThenCrash(directory, updates)
  const [file] = walFiles(directory)
  const goodBytes = readFileSync(file!).length
  // A header that gives 64 body bytes (any checksum), and 2 of them.
  appendFileSync(file!, Uint8Array.of(0xc8, 64, 0, 0, 0, 1, 2, 3, 4, 3, 100))
  const torn = readFileSync(file!)

  const { problems, onProblem } = collectProblems()
  const store = await openLevelDbStore({ directory, onProblem })
  deferCleanup(t, () => store.close())
  assert.deepEqual(asBuffers((await store.load('doc')).log), asBuffers(updates))

  const kept = join(keptDirectory(directory), '0000000000000001.wal')
  assert.deepEqual(readFileSync(kept), torn, 'the file is kept byte for byte')
  assert.deepEqual(problems, [
    {
      level: 'warn',
      message:
        `ignored the last 11 bytes of write-ahead-log file 0000000000000001.wal, the newest: ` +
        `record 4 (at byte ${goodBytes}) is cut short (its header gives 64 body bytes and 2 ` +
        `follow), as a write interrupted by a crash leaves it. The file is kept in ${kept}`,
    },
  ])
  assert.doesNotMatch(problems[0]!.message, /acknowledged/)
})

test('a header cut short at the end of the newest file is a torn write too', async (t) => {
  const directory = await makeTempDir(t)
  const [one] = threeUpdates()
  const good = recordBytes(docRoom, 1, one!)
  writeWalFile(directory, 1, Buffer.concat([good, Buffer.of(0xc8, 64, 0)]))

  const { problems, onProblem } = collectProblems()
  const store = await openLevelDbStore({ directory, onProblem })
  deferCleanup(t, () => store.close())
  assert.deepEqual(asBuffers((await store.load('doc')).log), asBuffers([one!]))
  const kept = join(keptDirectory(directory), '0000000000000001.wal')
  assert.deepEqual(problems, [
    {
      level: 'warn',
      message:
        `ignored the last 3 bytes of write-ahead-log file 0000000000000001.wal, the newest: ` +
        `record 2 (at byte ${good.length}) is cut short (the file ends 3 bytes into its 9-byte ` +
        `header), as a write interrupted by a crash leaves it. The file is kept in ${kept}`,
    },
  ])
})

test('damage in the middle of a file stops its replay there; later files are still replayed', async (t) => {
  const directory = await makeTempDir(t)
  const [one, two, three] = threeUpdates()
  const [a, b, c] = ['a', 'b', 'c'].map(encodeRoomName)
  const older = [
    recordBytes(a!, 1, one!),
    recordBytes(b!, 1, one!),
    recordBytes(a!, 2, two!),
    recordBytes(c!, 1, one!),
  ]
  // A flipped byte in the room name of record 2, and bytes after the last record that are none.
  older[1]![checkedHeaderBytes + 1]! ^= 0x01
  const garbage = Buffer.of(0xff, 0xff, 0xff, 0xff, 0xff)
  const olderFile = Buffer.concat([...older, garbage])
  writeWalFile(directory, 1, olderFile)
  writeWalFile(directory, 2, Buffer.concat([recordBytes(a!, 3, three!), recordBytes(b!, 2, two!)]))

  const { problems, onProblem } = collectProblems()
  const store = await openLevelDbStore({ directory, onProblem })
  deferCleanup(t, () => store.close())
  const [roomA, roomB, roomC] = await Promise.all(['a', 'b', 'c'].map((room) => store.load(room)))
  assert.deepEqual(asBuffers(roomA!.log), asBuffers([one!, three!]))
  assert.deepEqual(asBuffers(roomB!.log), asBuffers([two!]))
  assert.deepEqual(roomC!.log, [])

  const keptAt = keptDirectory(directory)
  const kept = join(keptAt, '0000000000000001.wal')
  assert.deepEqual(readFileSync(kept), olderFile, 'the damaged file is kept byte for byte')
  assert.equal(existsSync(join(keptAt, '0000000000000002.wal')), false, 'the good one is deleted')
  const skippedBytes = olderFile.length - older[0]!.length
  assert.deepEqual(problems, [
    {
      level: 'error',
      message:
        `write-ahead-log file 0000000000000001.wal is damaged: record 2 (at byte ` +
        `${older[0]!.length}) fails its checksum. Replayed: 1 record before it. Not replayed: ` +
        `the last ${skippedBytes} bytes of the file: that record (${older[1]!.length} bytes), 2 ` +
        `records after it (1 of room "a", 1 of room "c") and 5 bytes after them that do not ` +
        `read as records. The file is kept in ${kept}`,
    },
  ])
})

test('bytes that start no record stop the replay of their file, reported as damage', async (t) => {
  const directory = await makeTempDir(t)
  const [one, two] = threeUpdates()
  const good = recordBytes(docRoom, 1, one!)
  const file = Buffer.concat([Buffer.of(0x00, 0x00), good])
  writeWalFile(directory, 1, file)
  writeWalFile(directory, 2, recordBytes(docRoom, 2, two!))

  const { problems, onProblem } = collectProblems()
  const store = await openLevelDbStore({ directory, onProblem })
  deferCleanup(t, () => store.close())
  assert.deepEqual(asBuffers((await store.load('doc')).log), asBuffers([two!]))
  const kept = join(keptDirectory(directory), '0000000000000001.wal')
  assert.deepEqual(problems, [
    {
      level: 'error',
      message:
        `write-ahead-log file 0000000000000001.wal is damaged: record 1 (at byte 0) starts with ` +
        `byte 0x00, which marks no record. Replayed: 0 records before it. Not replayed: the last ` +
        `${file.length} bytes of the file: bytes that do not read as records. The file is kept ` +
        `in ${kept}`,
    },
  ])
})

test('records of the format before checksums are still replayed after an upgrade', async (t) => {
  const directory = await makeTempDir(t)
  const updates = threeUpdates()
  writeWalFile(
    directory,
    1,
    Buffer.concat(updates.map((update, index) => legacyRecord('doc', index + 1, update))),
  )

  const { problems, onProblem } = collectProblems()
  const store = await openLevelDbStore({ directory, onProblem })
  deferCleanup(t, () => store.close())
  const stored = await store.load('doc')
  assert.deepEqual(asBuffers(stored.log), asBuffers(updates))
  assert.equal(stored.lastSeq, 3)
  assert.deepEqual(problems, [])
  assert.equal(existsSync(join(directory, 'write-ahead-log-damaged')), false, 'nothing kept aside')
  assert.deepEqual(
    walFiles(directory).map((path) => readFileSync(path).length),
    [0],
    'the replayed file is gone; the new log starts empty',
  )
})

test('after a damaged old-format record, the records read after it are named as unverified', async (t) => {
  const directory = await makeTempDir(t)
  const [one, two] = threeUpdates()
  // A body too short to hold the sequence number: the only damage an old record can show.
  const damaged = Buffer.of(0xc7, 2, 0, 0, 0, 1, 0x61)
  const file = Buffer.concat([damaged, legacyRecord('doc', 1, one!), legacyRecord('doc', 2, two!)])
  writeWalFile(directory, 1, file)

  const { problems, onProblem } = collectProblems()
  const store = await openLevelDbStore({ directory, onProblem })
  deferCleanup(t, () => store.close())
  assert.deepEqual((await store.load('doc')).log, [])
  const kept = join(keptDirectory(directory), '0000000000000001.wal')
  assert.deepEqual(problems, [
    {
      level: 'error',
      message:
        `write-ahead-log file 0000000000000001.wal is damaged: record 1 (at byte 0) holds no ` +
        `room name and sequence number. Replayed: 0 records before it. Not replayed: the last ` +
        `${file.length} bytes of the file: that record (7 bytes) and 2 records after it (2 of ` +
        `room "doc"; 2 in the format before checksums, so unverified). The file is kept in ${kept}`,
    },
  ])
})
