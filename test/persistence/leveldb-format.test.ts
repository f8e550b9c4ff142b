// The storage format, byte for byte: the LevelDB key layout `v1` and the write-ahead-log record
// (persistence/README.md). A change here needs a new layout version (for the record, a new marker)
// and a migration (for the record, replay reads the old marker too).
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { openDatabase } from '../../persistence/leveldb/database.js'
import { openLevelDbStore } from '../../persistence/leveldb/store.js'
import { encodeRoomName } from '../../persistence/leveldb/wal-record.js'
import { WriteAheadLog } from '../../persistence/leveldb/write-ahead-log.js'
import type { VersionInfo } from '../../persistence/store.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { makeTempDir } from '../helpers/tmp-dir.js'

const seqHex = (seq: number): string => seq.toString(16).padStart(16, '0')

const versionInfo: VersionInfo = {
  id: '1767225600000',
  name: 'draft',
  kind: 'named',
  createdAtMs: 1767225600000,
  bytes: 2,
  authors: [{ userId: 'u1', name: 'Ada', isVerified: true, clientIds: [7] }],
}

test('the LevelDB store writes the v1 key layout, meta record, document index and versions', async (t) => {
  const directory = await makeTempDir(t)
  const startedAtMs = Date.now()
  const store = await openLevelDbStore({ directory })
  await store.load('a/b')
  const updates = [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5), Uint8Array.of(6)]
  for (const update of updates) await store.append('a/b', update)
  // Compactions always write the meta record, so it holds the log after this one.
  await store.compact(
    'a/b',
    { update: Uint8Array.of(7, 7, 7, 7), stateVector: Uint8Array.of(8) },
    1,
  )
  // Extra properties are not stored.
  await store.putVersion('a/b', { ...versionInfo, extra: 1 } as VersionInfo, Uint8Array.of(9, 9))
  await store.close()

  const db = await openDatabase(directory)
  deferCleanup(t, () => db.close())
  const entries = await db.readRange({ gt: Buffer.from('v1\0'), lt: Buffer.from('v1\u0001') })
  const prefix = 'v1\0a/b\0'
  assert.deepEqual(
    entries.map(({ key }) => key.toString('utf8')),
    [
      'v1\0\0document\0a/b',
      'v1\0\0record\0document-index',
      `${prefix}log\0${seqHex(2)}`,
      `${prefix}log\0${seqHex(3)}`,
      `${prefix}meta`,
      `${prefix}snapshot`,
      `${prefix}snapshot-seq`,
      `${prefix}snapshot-vector`,
      `${prefix}version\0${versionInfo.id}`,
      `${prefix}version-info\0${versionInfo.id}`,
    ],
  )
  const values = entries.map(({ value }) => value)
  assert.equal(values[0]!.toString('utf8'), 'a/b', 'the index entry holds the name')
  const indexRecord = JSON.parse(values[1]!.toString('utf8')) as Record<string, number>
  assert.deepEqual(Object.keys(indexRecord), ['builtAtMs', 'documents'])
  assert.equal(indexRecord.documents, 0, 'built on a new, empty store')
  assert.deepEqual(values[2], Buffer.from(updates[1]!))
  assert.deepEqual(values[3], Buffer.from(updates[2]!))
  assert.deepEqual(values[5], Buffer.of(7, 7, 7, 7))
  assert.equal(values[6]!.toString('latin1'), seqHex(1))
  assert.deepEqual(values[7], Buffer.of(8))
  assert.deepEqual(values[8], Buffer.of(9, 9))
  assert.equal(
    values[9]!.toString('utf8'),
    '{"id":"1767225600000","name":"draft","kind":"named","createdAtMs":1767225600000,"bytes":2,' +
      '"authors":[{"userId":"u1","name":"Ada","isVerified":true,"clientIds":[7]}]}',
  )

  const meta = values[4]!.toString('utf8')
  const record = JSON.parse(meta) as Record<string, number>
  assert.deepEqual(Object.keys(record), [
    'createdAtMs',
    'updatedAtMs',
    'snapshotBytes',
    'logBytes',
    'logEntries',
  ])
  assert.ok(record.createdAtMs! >= startedAtMs && record.updatedAtMs! >= record.createdAtMs!)
  assert.deepEqual(
    {
      snapshotBytes: record.snapshotBytes,
      logBytes: record.logBytes,
      logEntries: record.logEntries,
    },
    { snapshotBytes: 4, logBytes: 3, logEntries: 2 },
  )
  assert.equal(meta, JSON.stringify(record), 'plain JSON.stringify output, no spaces')
})

test('a document index key holds the name in CESU-8, so that keys sort in UTF-16 order', async (t) => {
  const directory = await makeTempDir(t)
  const store = await openLevelDbStore({ directory })
  // U+1F600 is the surrogates D83D DE00, which UTF-16 sorts before U+FF01.
  for (const name of ['\u{1F600}', '\uFF01']) {
    await store.load(name)
    await store.append(name, Uint8Array.of(0, 0))
  }
  await store.close()

  const db = await openDatabase(directory)
  deferCleanup(t, () => db.close())
  const index = await db.readRange({
    gt: Buffer.from('v1\0\0document\0'),
    lt: Buffer.from('v1\0\0document\u0001'),
  })
  const prefix = Buffer.from('v1\0\0document\0')
  assert.deepEqual(
    index.map(({ key }) => key),
    [
      Buffer.concat([prefix, Buffer.of(0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80)]),
      Buffer.concat([prefix, Buffer.of(0xef, 0xbc, 0x81)]),
    ],
  )
  assert.deepEqual(
    index.map(({ value }) => value.toString('utf8')),
    ['\u{1F600}', '\uFF01'],
  )
})

test('the write-ahead log writes its record format to 16-hex-digit generation files', async (t) => {
  const directory = await makeTempDir(t)
  const wal = new WriteAheadLog(directory)
  deferCleanup(t, () => wal.close())
  wal.append(encodeRoomName('é'), 3, Uint8Array.of(0xaa, 0xbb))
  assert.deepEqual(readdirSync(directory), ['0000000000000001.wal'])
  const seq = Buffer.alloc(8)
  seq.writeDoubleLE(3)
  assert.deepEqual(
    readFileSync(join(directory, '0000000000000001.wal')),
    Buffer.concat([
      Buffer.of(0xc8, 13, 0, 0, 0), // marker, u32le body length: 1 + 2 + 8 + 2
      Buffer.of(0xac, 0xe6, 0x57, 0x7f), // u32le CRC-32 of the body (zlib's crc32: 0x7f57e6ac)
      Buffer.of(2, 0xc3, 0xa9), // varuint byte length of the room name, its UTF-8
      seq, // f64le
      Buffer.of(0xaa, 0xbb), // the update
    ]),
  )
})
