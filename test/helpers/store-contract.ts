// The behaviour every DocStore must have (the invariants in persistence/store.ts). Each store's
// test file runs it with a factory that opens that store on fresh storage.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import * as Y from 'yjs'
import type { DocStore, EncodedState, StoredDoc } from '../../persistence/store.js'

/**
 * Opens a store on fresh storage; `reopen` opens another on the same storage once the first is
 * closed (as a restarted server would). Both are closed after the test.
 */
export type StoreFactory = (
  t: TestContext,
) => Promise<{ store: DocStore; reopen: () => Promise<DocStore> }>

/** An update that appends `insert` to the text of `doc`. */
function textUpdate(doc: Y.Doc, insert: string): Uint8Array {
  const before = Y.encodeStateVector(doc)
  doc.getText('text').insert(doc.getText('text').length, insert)
  return Y.encodeStateAsUpdate(doc, before)
}

/** The text of a stored document: its compacted state, then its log. */
export function storedText(stored: StoredDoc): string {
  const doc = new Y.Doc()
  if (stored.compacted) Y.applyUpdate(doc, stored.compacted.update)
  for (const update of stored.log) Y.applyUpdate(doc, update)
  return doc.getText('text').toString()
}

function encodedStateOf(doc: Y.Doc): EncodedState {
  return { update: Y.encodeStateAsUpdate(doc), stateVector: Y.encodeStateVector(doc) }
}

// Stores may return Buffers or plain Uint8Arrays; only the bytes are compared.
const bytes = (array: Uint8Array): Buffer => Buffer.from(array)
const bytesOfLog = (stored: StoredDoc): Buffer[] => stored.log.map(bytes)
const bytesOfState = (state: EncodedState | null): { update: Buffer; stateVector: Buffer } | null =>
  state && { update: bytes(state.update), stateVector: bytes(state.stateVector) }

function assertRising(seqs: number[], message: string): void {
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, message)
}

/** Appends updates one after the other (each awaited); returns their sequence numbers. */
async function appendEach(store: DocStore, room: string, updates: Uint8Array[]): Promise<number[]> {
  const seqs: number[] = []
  for (const update of updates) seqs.push(await store.append(room, update))
  return seqs
}

/** Registers the contract tests for one store implementation. */
export function runStoreContract(storeName: string, open: StoreFactory): void {
  test(`${storeName}: a document never written loads empty`, async (t) => {
    const { store, reopen } = await open(t)
    const empty: StoredDoc = { compacted: null, log: [], lastSeq: 0 }
    assert.deepEqual(await store.load('nothing-here'), empty)
    await store.close()
    assert.deepEqual(await (await reopen()).load('nothing-here'), empty, 'loading wrote nothing')
  })

  test(`${storeName}: appends resolve in call order with rising sequence numbers that survive reopening`, async (t) => {
    const { store, reopen } = await open(t)
    await store.load('doc')
    const doc = new Y.Doc()
    const updates = Array.from({ length: 200 }, (_, i) => textUpdate(doc, `${i};`))
    const resolved: number[] = []
    const seqs = await Promise.all(
      updates.map((update) => store.append('doc', update).then((seq) => (resolved.push(seq), seq))),
    )
    assert.deepEqual(resolved, seqs, 'resolution order is call order')
    assertRising(seqs, 'each append gets a higher sequence number than the one before')
    await store.close()

    const reopened = await reopen()
    const loaded = await reopened.load('doc')
    assert.deepEqual(bytesOfLog(loaded), updates.map(bytes), 'the log comes back byte for byte')
    assert.equal(loaded.compacted, null)
    assert.equal(loaded.lastSeq, seqs.at(-1))
    assert.equal(storedText(loaded), doc.getText('text').toString())
    const next = await reopened.append('doc', textUpdate(doc, 'after'))
    assert.ok(next > seqs.at(-1)!, 'sequence numbers keep rising after reopening')
  })

  test(`${storeName}: sequence numbers never restart, also after compacting everything and reopening`, async (t) => {
    const { store, reopen } = await open(t)
    await store.load('doc')
    const doc = new Y.Doc()
    const seqs = await appendEach(store, 'doc', [textUpdate(doc, 'a'), textUpdate(doc, 'b')])
    await store.compact('doc', encodedStateOf(doc), seqs.at(-1)!)
    const afterCompaction = await store.append('doc', textUpdate(doc, 'c'))
    assert.ok(afterCompaction > seqs.at(-1)!, 'rising after a compaction')
    await store.compact('doc', encodedStateOf(doc), afterCompaction)
    await store.close()

    const reopened = await reopen()
    const loaded = await reopened.load('doc')
    assert.equal(loaded.log.length, 0)
    assert.equal(loaded.lastSeq, afterCompaction, 'the compacted state keeps the last number')
    const afterReopen = await reopened.append('doc', textUpdate(doc, 'd'))
    assert.ok(afterReopen > afterCompaction, 'rising after compacting everything and reopening')
  })

  test(`${storeName}: compaction replaces exactly the entries it covers and returns the state byte for byte`, async (t) => {
    const { store, reopen } = await open(t)
    await store.load('doc')
    const doc = new Y.Doc()
    const updates = Array.from({ length: 10 }, (_, i) => textUpdate(doc, `${i}`))
    const seqs = await appendEach(store, 'doc', updates.slice(0, 6))
    const first = encodedStateOf(doc)
    await appendEach(store, 'doc', updates.slice(6))
    // Not up to the last entry: the four entries after seqs[5] stay, and so does one appended
    // while the compaction is under way.
    const later = textUpdate(doc, '+later')
    const laterSeq = store.append('doc', later)
    await store.compact('doc', first, seqs[5]!)
    await laterSeq
    const expectedLog = [...updates.slice(6), later].map(bytes)

    const loadedNow = await store.load('doc')
    assert.deepEqual(bytesOfState(loadedNow.compacted), bytesOfState(first))
    assert.deepEqual(bytesOfLog(loadedNow), expectedLog)
    await store.close()

    const reopened = await reopen()
    const loaded = await reopened.load('doc')
    assert.deepEqual(
      bytesOfState(loaded.compacted),
      bytesOfState(first),
      'the compacted state comes back byte for byte',
    )
    assert.deepEqual(bytesOfLog(loaded), expectedLog, 'exactly the later entries are left')
    assert.equal(loaded.lastSeq, await laterSeq)
    assert.equal(storedText(loaded), '0123456789+later')

    // A second compaction replaces the first state and the entries it covers in turn.
    const second = encodedStateOf(doc)
    await reopened.compact('doc', second, loaded.lastSeq)
    reopened.evict('doc')
    const recompacted = await reopened.load('doc')
    assert.deepEqual(bytesOfState(recompacted.compacted), bytesOfState(second))
    assert.deepEqual(recompacted.log, [])
  })

  test(`${storeName}: loading a loaded room again only reads`, async (t) => {
    const { store, reopen } = await open(t)
    await store.load('doc')
    const doc = new Y.Doc()
    const first = textUpdate(doc, 'one')
    const firstSeq = await store.append('doc', first)
    const again = await store.load('doc')
    assert.deepEqual(bytesOfLog(again), [bytes(first)], 'it sees what was appended')
    assert.equal(again.lastSeq, firstSeq)
    const second = textUpdate(doc, 'two')
    const secondSeq = await store.append('doc', second)
    assert.ok(secondSeq > firstSeq, 'the second load did not reset the sequence numbers')
    await store.close()

    const loaded = await (await reopen()).load('doc')
    assert.deepEqual(bytesOfLog(loaded), [bytes(first), bytes(second)])
    assert.equal(loaded.lastSeq, secondSeq)
  })

  test(`${storeName}: evicting a room and loading it again returns everything`, async (t) => {
    const { store } = await open(t)
    await store.load('doc')
    const doc = new Y.Doc()
    const seqs = await appendEach(store, 'doc', [textUpdate(doc, 'a'), textUpdate(doc, 'b')])
    const state = encodedStateOf(doc)
    await store.compact('doc', state, seqs.at(-1)!)
    const after = [textUpdate(doc, 'c'), textUpdate(doc, 'd')]
    const afterSeqs = await appendEach(store, 'doc', after)
    // Evicted right after the appends resolved, while a store may still be writing them.
    store.evict('doc')

    const loaded = await store.load('doc')
    assert.deepEqual(bytesOfState(loaded.compacted), bytesOfState(state))
    assert.deepEqual(bytesOfLog(loaded), after.map(bytes))
    assert.equal(loaded.lastSeq, afterSeqs.at(-1))
    assert.equal(storedText(loaded), 'abcd')
    const next = await store.append('doc', textUpdate(doc, 'e'))
    assert.ok(next > afterSeqs.at(-1)!, 'sequence numbers go on after the reload')
  })

  test(`${storeName}: documents are kept apart, including names that prefix each other`, async (t) => {
    const { store, reopen } = await open(t)
    const names = ['a', 'a/b', 'ab', 'a b', 'é✓', 'log', 'meta', 'snapshot']
    for (const name of names) await store.load(name)
    const docs = new Map(names.map((name) => [name, new Y.Doc()]))
    const append = (name: string, text: string): Promise<number> =>
      store.append(name, textUpdate(docs.get(name)!, text))
    await Promise.all(names.map((name) => append(name, name)))
    // Compacting one room must not touch the rooms whose names start with its name.
    const aSeq = await append('a', '+')
    await store.compact('a', encodedStateOf(docs.get('a')!), aSeq)
    await Promise.all(names.map((name) => append(name, '!')))

    const expected = (name: string): string => (name === 'a' ? 'a+!' : `${name}!`)
    for (const name of names) {
      store.evict(name)
      const loaded = await store.load(name)
      assert.equal(storedText(loaded), expected(name), name)
      assert.equal(loaded.compacted !== null, name === 'a', `${name} has a compacted state`)
    }
    await store.close()
    const reopened = await reopen()
    for (const name of names) {
      assert.equal(storedText(await reopened.load(name)), expected(name), `${name} after reopening`)
    }
  })

  test(`${storeName}: a write to a room that was not loaded, or was evicted, rejects`, async (t) => {
    const { store } = await open(t)
    const doc = new Y.Doc()
    await assert.rejects(store.append('doc', textUpdate(doc, 'x')), /was not loaded/)
    await store.load('doc')
    store.evict('doc')
    await assert.rejects(store.append('doc', textUpdate(doc, 'y')), /was not loaded/)
    await assert.rejects(
      store.compact('doc', encodedStateOf(doc), 1),
      /was not loaded/,
      'a compaction too',
    )
  })

  test(`${storeName}: server-wide records survive reopening and never meet a document`, async (t) => {
    const { store, reopen } = await open(t)
    assert.equal(await store.readRecord('revocations'), null)
    await store.writeRecord('revocations', new TextEncoder().encode('{"alice":1}'))
    await store.writeRecord('revocations', new TextEncoder().encode('{"alice":2}'))
    await store.load('record')
    await store.append('record', textUpdate(new Y.Doc(), 'a document named like a record'))
    await store.close()
    const reopened = await reopen()
    const record = await reopened.readRecord('revocations')
    assert.equal(new TextDecoder().decode(record ?? new Uint8Array()), '{"alice":2}')
    assert.equal(await reopened.readRecord('record'), null)
    assert.equal(storedText(await reopened.load('record')), 'a document named like a record')
  })

  test(`${storeName}: a closed store rejects instead of resolving`, async (t) => {
    const { store } = await open(t)
    await store.load('doc')
    const doc = new Y.Doc()
    const seq = await store.append('doc', textUpdate(doc, 'x'))
    await store.close()
    await store.close()
    await assert.rejects(store.append('doc', textUpdate(doc, 'y')))
    await assert.rejects(store.compact('doc', encodedStateOf(doc), seq))
    await assert.rejects(store.load('doc'))
  })
}
