import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { test } from 'node:test'
import CRC32 from 'crc-32'
import * as Y from 'yjs'
import {
  BackupFormatError,
  type BackupProblem,
  BackupWriter,
  backupFormatVersion,
  encodeBackup,
  readBackup,
} from '../../server/documents/backup-format.js'
import type { DocumentBackup } from '../../server/documents/documents.js'

function stateOf(text: string): DocumentBackup['state'] {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, text)
  return { update: Y.encodeStateAsUpdate(doc), stateVector: Y.encodeStateVector(doc) }
}

const backups: DocumentBackup[] = [
  {
    name: 'team/notes',
    createdAtMs: 1_700_000_000_000,
    updatedAtMs: 1_700_000_500_000,
    state: stateOf('hello'),
    versions: [
      {
        info: {
          id: '0002',
          name: 'before launch',
          kind: 'named',
          createdAtMs: 1_700_000_400_000,
          bytes: 3,
          authors: [{ userId: 'alice', name: 'Alice', isVerified: true, clientIds: [1, 2] }],
        },
        content: Uint8Array.of(1, 2, 3),
      },
      {
        info: {
          id: '0001',
          name: null,
          kind: 'auto',
          createdAtMs: 1_700_000_100_000,
          bytes: 0,
          authors: [],
        },
        content: new Uint8Array(0),
      },
    ],
  },
  { name: 'ünïcode ✓', createdAtMs: 5, updatedAtMs: 6, state: stateOf(''), versions: [] },
  {
    name: 'big',
    createdAtMs: 7,
    updatedAtMs: 8,
    state: stateOf('x'.repeat(100_000)),
    versions: [
      {
        info: {
          id: 'r',
          name: null,
          kind: 'restore',
          createdAtMs: 9,
          bytes: 70_000,
          authors: [{ userId: null, name: null, isVerified: false, clientIds: [] }],
        },
        content: new Uint8Array(70_000).fill(7),
      },
    ],
  },
]

async function encode(documents: DocumentBackup[]): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  for await (const chunk of encodeBackup(documents)) chunks.push(chunk)
  return Buffer.concat(chunks)
}

/** The file delivered in chunks of `size` bytes, as a stream might cut it. */
function inChunks(file: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  const chunks: Uint8Array[] = []
  for (let offset = 0; offset < file.length; offset += size) {
    chunks.push(file.subarray(offset, offset + size))
  }
  return Readable.from(chunks)
}

async function readAll(file: Uint8Array, chunkBytes = 65_536): Promise<DocumentBackup[]> {
  const documents: DocumentBackup[] = []
  for await (const backup of readBackup(inChunks(file, chunkBytes))) documents.push(backup)
  return documents
}

/** Reads `file` expecting a BackupFormatError of `problem`; returns its message. */
async function failure(file: Uint8Array, problem: BackupProblem): Promise<string> {
  const error = await readAll(file).then(
    () => assert.fail('the file was read without an error'),
    (error: unknown) => error,
  )
  assert.ok(error instanceof BackupFormatError, String(error))
  assert.equal(error.problem, problem, error.message)
  return error.message
}

test('a backup of several documents with versions reads back as it was written', async () => {
  const file = await encode(backups)
  assert.equal(file.subarray(0, 8).toString('latin1'), 'COLLABBK')
  assert.equal(file.readUInt16BE(8), backupFormatVersion)
  for (const chunkBytes of [1, 7, 65_536, file.length]) {
    assert.deepEqual(await readAll(file, chunkBytes), backups, `chunks of ${chunkBytes} bytes`)
  }
  const restored = new Y.Doc()
  Y.applyUpdate(restored, (await readAll(file))[0]!.state.update)
  assert.equal(restored.getText('t').toString(), 'hello')
})

test('the writer fed one document at a time writes the same bytes as encodeBackup', async () => {
  const writer = new BackupWriter()
  const chunks = [...writer.start()]
  for (const backup of backups) chunks.push(...writer.document(backup))
  chunks.push(...writer.end())
  assert.deepEqual(Buffer.concat(chunks), await encode(backups))
})

test('a backup of no documents is a header and an end record', async () => {
  const file = await encode([])
  assert.equal(file.length, 10 + 9 + 8 + 4)
  assert.deepEqual(await readAll(file), [])
})

test('a foreign file is not a backup', async () => {
  const zip = Buffer.from('PK\x03\x04 some archive', 'latin1')
  assert.match(await failure(zip, 'not-a-backup'), /^not a collab-server backup: .*"COLLABBK"/)
  assert.match(
    await failure(Buffer.from('{"documents": []}'), 'not-a-backup'),
    /not a collab-server/,
  )
})

test('a newer format version is refused with the version it names', async () => {
  const file = await encode(backups)
  file.writeUInt16BE(3, 8)
  assert.equal(
    await failure(file, 'newer-format'),
    'the backup is in format version 3, newer than this collab-server reads (up to 1): ' +
      'restore it with a newer collab-server',
  )
})

test('a damaged byte fails the checksum of the record holding it', async () => {
  const file = await encode(backups)
  const body = Buffer.from(file)
  body[10 + 9 + 20]! ^= 0xff
  assert.equal(
    await failure(body, 'damaged'),
    'the backup is damaged: record 1 (at byte 10) fails its checksum',
  )
  const head = Buffer.from(file)
  head[10 + 2]! ^= 0x01
  assert.equal(
    await failure(head, 'damaged'),
    'the backup is damaged: record 1 (at byte 10) has a bad header checksum',
  )
})

test('a record whose checksums hold but whose header does not add up is damage', async () => {
  const file = await encode(backups.slice(1, 2))
  const bodyStart = 10 + 9
  const bodyLength = file.readUInt32BE(10 + 1)
  const stateBytes = backups[1]!.state.update.length
  // The same number of digits, so that only the sum of the lengths is wrong.
  const offset = file.indexOf(`"stateBytes":${stateBytes}`, bodyStart) + '"stateBytes":'.length
  file.write(String(stateBytes - 1), offset, 'latin1')
  const body = file.subarray(bodyStart, bodyStart + bodyLength)
  file.writeInt32BE(CRC32.buf(body), bodyStart + bodyLength)
  assert.equal(
    await failure(file, 'damaged'),
    `the backup is damaged: record 1 (at byte 10) holds ${bodyLength} bytes, not the ` +
      `${bodyLength - 1} its header accounts for`,
  )
})

test('a file cut anywhere is truncated, after the whole documents before the cut', async () => {
  const file = await encode(backups.slice(0, 2))
  for (let length = 0; length < file.length; length += 1) {
    const cut = file.subarray(0, length)
    const seen: string[] = []
    const error = await (async () => {
      for await (const backup of readBackup(inChunks(cut, 5))) seen.push(backup.name)
    })().then(
      () => assert.fail(`a file cut at ${length} bytes was read whole`),
      (error: unknown) => error,
    )
    assert.ok(
      error instanceof BackupFormatError && error.problem === 'truncated',
      `cut at ${length}: ${String(error)}`,
    )
    assert.match(error.message, /^the backup is truncated: /)
    assert.ok(seen.length <= 2)
  }
  const withoutEnd = file.subarray(0, file.length - (9 + 8 + 4))
  assert.equal(
    await failure(withoutEnd, 'truncated'),
    `the backup is truncated: it ends at byte ${withoutEnd.length} after 2 documents, without its end record`,
  )
})

test('bytes after the end record, or an end record that miscounts, are damage', async () => {
  const file = await encode(backups.slice(0, 1))
  assert.match(
    await failure(Buffer.concat([file, Buffer.from('x')]), 'damaged'),
    new RegExp(`bytes follow its end record at byte ${file.length}$`),
  )
  const writer = new BackupWriter()
  writer.document(backups[1]!)
  const miscounted = Buffer.concat([...new BackupWriter().start(), ...writer.end()])
  assert.match(
    await failure(miscounted, 'damaged'),
    /its end record does not count the 0 documents and 0 versions it holds/,
  )
})

test('stopping early releases the source', async () => {
  const file = await encode(backups)
  let isReleased = false
  async function* source(): AsyncGenerator<Uint8Array> {
    try {
      yield* inChunks(file, 100)
    } finally {
      isReleased = true
    }
  }
  for await (const backup of readBackup(source())) {
    assert.equal(backup.name, 'team/notes')
    break
  }
  assert.ok(isReleased)
})
