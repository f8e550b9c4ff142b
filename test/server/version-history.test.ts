// The version chain on its own (server/rooms/version-history.ts), on a memory store: each
// version reads as the document as it was, removing one folds it into the next, retention
// prunes the oldest automatic ones, and the chain costs what changed, not a copy per version.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import * as Y from 'yjs'
import { MemoryStorage, createMemoryStore } from '../../persistence/memory/store.js'
import {
  VersionHistory,
  type VersionRetention,
  defaultVersionRetention,
} from '../../server/rooms/version-history.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { collectLogs } from '../helpers/collect-logs.js'

function openHistory(t: TestContext, retention: VersionRetention = defaultVersionRetention) {
  const store = createMemoryStore(new MemoryStorage())
  deferCleanup(t, () => store.close())
  const history = new VersionHistory(store, retention, collectLogs().logger)
  return { store, history }
}

const textOf = (update: Uint8Array): string => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc.getText('text').toString()
}

/** A document edited in steps: each step's whole state, after appending (and deleting) text. */
function editingSteps(count: number): { states: Uint8Array[]; texts: string[] } {
  const doc = new Y.Doc()
  const text = doc.getText('text')
  const states: Uint8Array[] = []
  const texts: string[] = []
  for (let step = 0; step < count; step++) {
    text.insert(text.length, `step ${step}: ${'words '.repeat(200)}\n`)
    if (step % 2 === 1) text.delete(0, 10)
    states.push(Y.encodeStateAsUpdate(doc))
    texts.push(text.toString())
  }
  return { states, texts }
}

const auto = { kind: 'auto', name: null, authors: [] } as const

test('each version reads as the document was when it was saved, stored as what changed', async (t) => {
  const { store, history } = openHistory(t)
  const { states, texts } = editingSteps(5)
  const saved = []
  for (const state of states) saved.push(await history.save('doc', auto, state))
  for (const [index, info] of saved.entries()) {
    const version = await history.read('doc', info.id)
    assert.equal(textOf(version!.content), texts[index])
    assert.equal(version!.info.id, info.id)
  }
  const stored = saved.reduce((sum, info) => sum + info.bytes, 0)
  const copies = states.reduce((sum, state) => sum + state.length, 0)
  assert.ok(stored < copies / 2, `${stored} bytes stored for ${copies} bytes of states`)
  assert.equal(saved[0]!.bytes, states[0]!.length, 'the oldest is a whole state')
  assert.equal(await history.read('doc', 'no-such-id'), null)
  assert.equal((await store.listVersions('doc')).length, 5)
})

test('a history forgotten (the document unloaded) goes on from the chain in the store', async (t) => {
  const { history } = openHistory(t)
  const { states, texts } = editingSteps(3)
  await history.save('doc', auto, states[0]!)
  history.forget('doc')
  await history.save('doc', auto, states[1]!)
  history.forget('doc')
  const last = await history.save('doc', auto, states[2]!)
  assert.equal(textOf((await history.read('doc', last.id))!.content), texts[2])
})

test('deleting a version folds what it changed into the next one', async (t) => {
  const { store, history } = openHistory(t)
  const { states, texts } = editingSteps(4)
  const saved = []
  for (const state of states) saved.push(await history.save('doc', auto, state))
  assert.equal(await history.delete('doc', saved[1]!.id), true)
  assert.equal(await history.delete('doc', saved[0]!.id), true)
  assert.equal(await history.delete('doc', 'no-such-id'), false)
  assert.deepEqual(
    (await store.listVersions('doc')).map((version) => version.id),
    [saved[3]!.id, saved[2]!.id],
  )
  assert.equal(textOf((await history.read('doc', saved[2]!.id))!.content), texts[2])
  assert.equal(textOf((await history.read('doc', saved[3]!.id))!.content), texts[3])
  // Deleting the newest: the next save starts from what is left.
  await history.delete('doc', saved[3]!.id)
  const next = await history.save('doc', auto, states[3]!)
  assert.equal(textOf((await history.read('doc', next.id))!.content), texts[3])
})

test('retention by count prunes the oldest automatic versions, keeps named ones, and the rest still read', async (t) => {
  const { store, history } = openHistory(t, { kind: 'count', maxCount: 2 })
  const { states, texts } = editingSteps(5)
  const named = await history.save('doc', { kind: 'named', name: 'kept', authors: [] }, states[0]!)
  const saved = []
  for (const state of states.slice(1)) saved.push(await history.save('doc', auto, state))
  const left = await store.listVersions('doc')
  assert.deepEqual(
    left.map((version) => version.id),
    [saved[3]!.id, saved[2]!.id, named.id],
  )
  assert.equal(textOf((await history.read('doc', named.id))!.content), texts[0])
  assert.equal(textOf((await history.read('doc', saved[2]!.id))!.content), texts[3])
  assert.equal(textOf((await history.read('doc', saved[3]!.id))!.content), texts[4])
})
