// Two PostgreSQL stores on one schema, as two servers sharing it will be: the sequence numbers of
// a room come from the database, so they never collide, and a compaction deletes exactly the
// entries through the number it is given, whoever appended them.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { openPostgresStore } from '../../persistence/postgres/store.js'
import type { DocStore } from '../../persistence/store.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { postgresUrl, testSchema, withPostgres } from '../helpers/postgres.js'

/** An update that tells its writer and number apart (the store keeps bytes as given). */
const updateOf = (writer: number, i: number): Uint8Array => Uint8Array.of(writer, i >> 8, i & 255)

/** Two stores on a fresh schema, both with `room` loaded. */
async function twoWriters(t: TestContext, room: string): Promise<[DocStore, DocStore]> {
  const schema = testSchema(t)
  const open = async (): Promise<DocStore> => {
    const store = await openPostgresStore({ url: postgresUrl, schema })
    deferCleanup(t, () => store.close())
    await store.load(room)
    return store
  }
  return [await open(), await open()]
}

/** Appends `count` updates of `writer` at once; resolves with the sequence number of each. */
async function appendMany(store: DocStore, writer: number, count: number): Promise<number[]> {
  const resolved: number[] = []
  const seqs = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      store.append('doc', updateOf(writer, i)).then((seq) => (resolved.push(seq), seq)),
    ),
  )
  assert.deepEqual(resolved, seqs, `writer ${writer}: resolved in call order`)
  return seqs
}

const isRising = (seqs: number[]): boolean => seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!)

await withPostgres('PostgreSQL store with two writers', () => {
  test('PostgreSQL store: two writers appending to one room get distinct, rising sequence numbers', async (t) => {
    const [a, b] = await twoWriters(t, 'doc')
    const [seqsA, seqsB] = await Promise.all([appendMany(a, 1, 300), appendMany(b, 2, 300)])
    assert.ok(isRising(seqsA) && isRising(seqsB), "each writer's numbers rise in call order")
    const all = [...seqsA, ...seqsB].sort((x, y) => x - y)
    assert.deepEqual(
      all,
      Array.from({ length: 600 }, (_, i) => i + 1),
      'distinct, and none skipped',
    )
    // A third reader sees every entry, numbered as each writer was told.
    const bySeq = new Map<number, Uint8Array>()
    for (const [i, seq] of seqsA.entries()) bySeq.set(seq, updateOf(1, i))
    for (const [i, seq] of seqsB.entries()) bySeq.set(seq, updateOf(2, i))
    const loaded = await a.load('doc')
    assert.equal(loaded.lastSeq, 600)
    assert.deepEqual(
      loaded.log.map((update) => Buffer.from(update)),
      all.map((seq) => Buffer.from(bySeq.get(seq)!)),
      'the log is in sequence number order',
    )
  })

  test("PostgreSQL store: a compaction deletes exactly the entries through its number, the other writer's included", async (t) => {
    const [a, b] = await twoWriters(t, 'doc')
    const first = await Promise.all([appendMany(a, 1, 50), appendMany(b, 2, 50)])
    const throughSeq = 60
    const state = { update: Uint8Array.of(9, 9), stateVector: Uint8Array.of(9) }
    // B goes on appending while A compacts.
    const [, later] = await Promise.all([a.compact('doc', state, throughSeq), appendMany(b, 3, 50)])
    const seqOf = new Map<number, Buffer>()
    for (const [writer, seqs] of [
      [1, first[0]],
      [2, first[1]],
      [3, later],
    ] as const) {
      for (const [i, seq] of seqs.entries()) seqOf.set(seq, Buffer.from(updateOf(writer, i)))
    }
    const loaded = await b.load('doc')
    assert.deepEqual(loaded.compacted && Buffer.from(loaded.compacted.update), Buffer.of(9, 9))
    const kept = [...seqOf.keys()].filter((seq) => seq > throughSeq).sort((x, y) => x - y)
    assert.equal(kept.length, 150 - throughSeq)
    assert.deepEqual(
      loaded.log.map((update) => Buffer.from(update)),
      kept.map((seq) => seqOf.get(seq)!),
      'every entry after the number stays, whoever wrote it',
    )
    assert.equal(loaded.lastSeq, 150)
    const info = await a.documentInfo('doc')
    assert.equal(info?.bytes, 2 + kept.length * 3, 'the sizes follow both writers')
  })

  test('PostgreSQL store: a compaction older than the stored state is refused and changes nothing', async (t) => {
    const [a, b] = await twoWriters(t, 'doc')
    await appendMany(a, 1, 20)
    const newer = { update: Uint8Array.of(2, 2), stateVector: Uint8Array.of(2) }
    await a.compact('doc', newer, 15)
    const older = { update: Uint8Array.of(1, 1), stateVector: Uint8Array.of(1) }
    await assert.rejects(b.compact('doc', older, 10), /the compacted state stored covers more/)
    await assert.rejects(b.compact('doc', older, 21), /the last one handed out is 20/)
    const loaded = await b.load('doc')
    assert.deepEqual(loaded.compacted && Buffer.from(loaded.compacted.update), Buffer.of(2, 2))
    assert.equal(loaded.log.length, 5)
  })

  test("PostgreSQL store: a delete by one writer comes between the other's appends, whose numbers go on", async (t) => {
    const schema = testSchema(t)
    const open = async (): Promise<DocStore> => {
      const store = await openPostgresStore({ url: postgresUrl, schema })
      deferCleanup(t, () => store.close())
      return store
    }
    const [writer, operator] = [await open(), await open()]
    await writer.load('doc')
    const before = await appendMany(writer, 1, 10)
    await operator.deleteDocument('doc')
    const after = await writer.append('doc', updateOf(1, 99))
    assert.ok(after > before.at(-1)!)
    const loaded = await operator.load('doc')
    assert.deepEqual(
      loaded.log.map((update) => Buffer.from(update)),
      [Buffer.from(updateOf(1, 99))],
    )
  })
})
