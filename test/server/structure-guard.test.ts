import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import * as Y from 'yjs'
import { CollabError } from '../../protocol/collab-error.js'
import type { Origin } from '../../server/events.js'
import { FakeMember } from '../helpers/fake-member.js'
import { nestedMaps, pendingText } from '../helpers/hostile-updates.js'
import { openRoom } from '../helpers/room-fixture.js'
import { clientDoc, nextTurn, typeInto } from '../helpers/text-docs.js'

const apiOrigin: Origin = { kind: 'api', principal: null }
const KiB = 1024

/** Asserts that `write` rejects with a 1007 CollabError whose message matches `reason`. */
async function assertRefused(write: Promise<void>, reason: RegExp): Promise<void> {
  await assert.rejects(write, (error: unknown) => {
    assert.ok(error instanceof CollabError, 'a CollabError')
    assert.equal(error.closeCode, 1007)
    assert.match(error.message, reason)
    return true
  })
}

/** A document holding `depth` nested maps, and the update that nests `more` under the deepest. */
function nestDeeper(t: TestContext, base: Uint8Array, more: number): Uint8Array {
  const doc = clientDoc(t)
  Y.applyUpdate(doc, base)
  let map = doc.getMap('poison')
  while (map.get('inner') instanceof Y.Map) map = map.get('inner') as Y.Map<unknown>
  const before = Y.encodeStateVector(doc)
  doc.transact(() => {
    for (let level = 0; level < more; level++) {
      const inner = new Y.Map()
      map.set('inner', inner)
      map = inner
    }
  })
  return Y.encodeStateAsUpdate(doc, before)
}

test('types nested up to --max-nesting-depth are stored; one level deeper is refused with 1007', async (t) => {
  const { room } = await openRoom(t, { limits: { maxNestingDepth: 100 } })
  // The root map is the first level.
  await room.writeUpdate(nestedMaps(99), apiOrigin)
  const deeper = await openRoom(t, { name: 'deeper', limits: { maxNestingDepth: 100 } })
  await assertRefused(
    deeper.room.writeUpdate(nestedMaps(100), apiOrigin),
    /^the update nests shared types 101 deep; the limit is 100: it was not stored$/,
  )
})

test('nesting is measured from where the update nests in the document, also while that is being written', async (t) => {
  const { room } = await openRoom(t, { limits: { maxNestingDepth: 100 } })
  const base = nestedMaps(60)
  await room.writeUpdate(base, apiOrigin)
  await assertRefused(
    room.writeUpdate(nestDeeper(t, base, 45), apiOrigin),
    /nests shared types 106 deep/,
  )
  await room.writeUpdate(nestDeeper(t, base, 39), apiOrigin)

  // Two pieces in one burst: the second nests under the first, which is not durable yet.
  const burst = await openRoom(t, { name: 'burst', limits: { maxNestingDepth: 100 } })
  const member = new FakeMember(1)
  burst.room.join(member)
  const first = nestedMaps(70)
  assert.throws(
    () => {
      void burst.room.receiveUpdate(member, first)
      void burst.room.receiveUpdate(member, nestDeeper(t, first, 40))
    },
    (error: unknown) => error instanceof CollabError && error.closeCode === 1007,
  )
})

test('content waiting for content the document lacks is refused past --max-pending-bytes, for every writer', async (t) => {
  const { room } = await openRoom(t, { limits: { maxPendingBytes: 1024 * KiB } })
  const writers = [new FakeMember(1), new FakeMember(2)]
  for (const writer of writers) room.join(writer)
  for (let i = 0; i < 3; i++) await room.writeUpdate(pendingText(100 + 2 * i, 300 * KiB), apiOrigin)
  const reason =
    /^the update depends on content the document does not have, and the document already waits on \d+ bytes of such content \(limit 1048576\): it was not stored$/
  await assertRefused(room.writeUpdate(pendingText(200, 300 * KiB), apiOrigin), reason)
  for (const [i, writer] of writers.entries()) {
    assert.throws(
      () => room.receiveUpdate(writer, pendingText(300 + 2 * i, 300 * KiB)),
      (error: unknown) => error instanceof CollabError && reason.test(error.message),
    )
  }

  // Updates that need nothing the document lacks are still stored.
  const typist = clientDoc(t)
  await room.writeUpdate(typeInto(typist, 'still editable'), apiOrigin)
  const joiner = new FakeMember(3)
  room.join(joiner)
  room.receiveSyncStep1(joiner, Uint8Array.of(0))
  const [answer] = joiner.received('syncStep2')
  assert.ok(
    answer && answer.length < 1024 * KiB + 64 * KiB,
    'a joiner gets at most the bound of pending content',
  )
})

test('content that waited is counted no more once what it needed arrives', async (t) => {
  const { room } = await openRoom(t, { limits: { maxPendingBytes: 64 * KiB } })
  const writer = clientDoc(t)
  writer.clientID = 7
  const first = typeInto(writer, 'first ')
  const second = typeInto(writer, 'x'.repeat(40 * KiB))
  // The second arrives before the first: it waits, and fills most of the bound.
  await room.writeUpdate(second, apiOrigin)
  await assertRefused(room.writeUpdate(pendingText(500, 40 * KiB), apiOrigin), /depends on content/)
  await room.writeUpdate(first, apiOrigin)
  await nextTurn()
  await room.writeUpdate(pendingText(500, 40 * KiB), apiOrigin)
})
