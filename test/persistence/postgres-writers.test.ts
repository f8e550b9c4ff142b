// Two PostgreSQL stores on one schema, as two servers sharing it are: the store that loaded a room
// last is its writer, so when one takes a room over from the other, sequence numbers go on with
// none used twice or skipped, and the new writer's compaction deletes exactly the entries through
// its number, whoever appended them. (test/helpers/store-contract.ts has the shared contract.)
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { inspect } from 'node:util'
import { openPostgresStore } from '../../persistence/postgres/store.js'
import { type DocStore, WriterFencedError } from '../../persistence/store.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { postgresUrl, runSql, testSchema, withPostgres } from '../helpers/postgres.js'
import { until } from '../helpers/until.js'

/** An update that tells its writer and number apart (the store keeps bytes as given). */
const updateOf = (writer: number, i: number): Uint8Array => Uint8Array.of(writer, i >> 8, i & 255)

/** Opens stores on one fresh schema, each closed after the test. */
function storesOn(t: TestContext, schema = testSchema(t)): () => Promise<DocStore> {
  return async () => {
    const store = await openPostgresStore({ url: postgresUrl, schema })
    deferCleanup(t, () => store.close())
    return store
  }
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

/** Appends `count` updates of `writer` at once, expecting each to be fenced. */
async function appendFenced(store: DocStore, writer: number, count: number): Promise<void> {
  const outcomes = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => store.append('doc', updateOf(writer, i))),
  )
  for (const outcome of outcomes) {
    assert.ok(
      outcome.status === 'rejected' && outcome.reason instanceof WriterFencedError,
      inspect(outcome),
    )
  }
}

const logBytes = (log: Uint8Array[]): Buffer[] => log.map((update) => Buffer.from(update))

await withPostgres('PostgreSQL store with two writers', () => {
  test('PostgreSQL store: a takeover while the old writer appends leaves distinct, rising numbers, none skipped', async (t) => {
    const open = storesOn(t)
    const [a, b] = [await open(), await open()]
    await a.load('doc')
    // A appends one update per turn of the event loop until it is fenced.
    const seqOfA = new Map<number, Uint8Array>()
    let isFenced = false
    const appending = (async () => {
      const calls: Promise<void>[] = []
      for (let i = 0; !isFenced; i++) {
        const call = a.append('doc', updateOf(1, i)).then(
          (seq) => void seqOfA.set(seq, updateOf(1, i)),
          (error: unknown) => {
            assert.ok(error instanceof WriterFencedError, inspect(error))
            isFenced = true
          },
        )
        calls.push(call)
        await new Promise(setImmediate)
      }
      await Promise.all(calls)
    })()
    await until(() => seqOfA.size >= 20, { what: 'A to have appended' })
    await b.load('doc')
    const seqsB = await appendMany(b, 2, 300)
    await appending

    const all = [...seqOfA.keys(), ...seqsB].sort((x, y) => x - y)
    assert.deepEqual(
      all,
      Array.from({ length: all.length }, (_, i) => i + 1),
      'distinct, and none skipped: a fenced batch uses no numbers',
    )
    assert.ok(Math.min(...seqsB) > Math.max(...seqOfA.keys()), 'B goes on after A')
    const bySeq = new Map(seqOfA)
    for (const [i, seq] of seqsB.entries()) bySeq.set(seq, updateOf(2, i))
    const reader = await open()
    const loaded = await reader.load('doc')
    assert.equal(loaded.lastSeq, all.length)
    assert.deepEqual(
      logBytes(loaded.log),
      all.map((seq) => Buffer.from(bySeq.get(seq)!)),
      'exactly the appends that resolved, in sequence number order',
    )
  })

  test('PostgreSQL store: of two stores loading a room at once, the one whose claim came last is its writer', async (t) => {
    const open = storesOn(t)
    const [a, b] = [await open(), await open()]
    await Promise.all([a.load('doc'), b.load('doc')])
    const outcomes = await Promise.allSettled([
      a.append('doc', updateOf(1, 0)),
      b.append('doc', updateOf(2, 0)),
    ])
    const written = outcomes.filter((outcome) => outcome.status === 'fulfilled')
    assert.equal(written.length, 1, inspect(outcomes))
    assert.ok(outcomes.some((outcome) => outcome.status === 'rejected'))
    assert.equal((await (await open()).load('doc')).log.length, 1)
  })

  test("PostgreSQL store: the new writer's compaction deletes exactly the entries through its number, the old writer's included", async (t) => {
    const open = storesOn(t)
    const [a, b] = [await open(), await open()]
    await a.load('doc')
    const firstA = await appendMany(a, 1, 50)
    await b.load('doc')
    const firstB = await appendMany(b, 2, 50)
    const throughSeq = 60
    const state = { update: Uint8Array.of(9, 9), stateVector: Uint8Array.of(9) }
    // B goes on appending while it compacts, and A, fenced, tries to.
    const [, later] = await Promise.all([
      b.compact('doc', state, throughSeq),
      appendMany(b, 3, 50),
      appendFenced(a, 4, 50),
    ])
    const seqOf = new Map<number, Buffer>()
    for (const [writer, seqs] of [
      [1, firstA],
      [2, firstB],
      [3, later],
    ] as const) {
      for (const [i, seq] of seqs.entries()) seqOf.set(seq, Buffer.from(updateOf(writer, i)))
    }
    b.evict('doc')
    const loaded = await b.load('doc')
    assert.deepEqual(loaded.compacted && Buffer.from(loaded.compacted.update), Buffer.of(9, 9))
    const kept = [...seqOf.keys()].filter((seq) => seq > throughSeq).sort((x, y) => x - y)
    assert.equal(kept.length, 150 - throughSeq)
    assert.deepEqual(
      logBytes(loaded.log),
      kept.map((seq) => seqOf.get(seq)!),
      'every entry after the number stays, whoever wrote it',
    )
    assert.equal(loaded.lastSeq, 150)
    const info = await a.documentInfo('doc')
    assert.equal(info?.bytes, 2 + kept.length * 3, 'the sizes follow both writers, not the fenced')
  })

  test('PostgreSQL store: a compaction older than the stored state is refused and changes nothing', async (t) => {
    const open = storesOn(t)
    const [a, b] = [await open(), await open()]
    await a.load('doc')
    await appendMany(a, 1, 20)
    const newer = { update: Uint8Array.of(2, 2), stateVector: Uint8Array.of(2) }
    await a.compact('doc', newer, 15)
    await b.load('doc')
    const older = { update: Uint8Array.of(1, 1), stateVector: Uint8Array.of(1) }
    await assert.rejects(b.compact('doc', older, 10), /the compacted state stored covers more/)
    await assert.rejects(b.compact('doc', older, 21), /the last one handed out is 20/)
    await assert.rejects(a.compact('doc', older, 20), WriterFencedError)
    const loaded = await (await open()).load('doc')
    assert.deepEqual(loaded.compacted && Buffer.from(loaded.compacted.update), Buffer.of(2, 2))
    assert.equal(loaded.log.length, 5)
  })

  test('PostgreSQL store: a schema at version 1 is migrated to version 2, its documents kept and fenced from then on', async (t) => {
    const schema = testSchema(t)
    const open = storesOn(t, schema)
    const old = await open()
    await old.load('doc')
    const seqs = await appendMany(old, 1, 3)
    await old.close()
    // Back to what version 1 created (version 2 only adds the column).
    await runSql(`ALTER TABLE "${schema}".documents DROP COLUMN writer_epoch`)
    await runSql(`DELETE FROM "${schema}".schema_version WHERE version = 2`)

    const [a, b] = [await open(), await open()]
    const { rows } = await runSql<{ version: number }>(
      `SELECT version FROM "${schema}".schema_version ORDER BY version`,
    )
    assert.deepEqual(
      rows.map((row) => row.version),
      [1, 2],
    )
    assert.deepEqual(
      logBytes((await a.load('doc')).log),
      logBytes([0, 1, 2].map((i) => updateOf(1, i))),
    )
    await b.load('doc')
    await appendFenced(a, 2, 1)
    assert.equal(await b.append('doc', updateOf(3, 0)), seqs.at(-1)! + 1)
  })
})
