// The behaviour every DocStore must have (persistence/store.ts). Each store's test file runs it
// with a factory that opens that store on fresh storage.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import * as Y from 'yjs'
import type { DocStore, Snapshot, StoredDoc } from '../../persistence/store.js'

/** Opens a store; `reopen` opens it again on the same storage after the first is closed. */
export type StoreFactory = (
  t: TestContext,
) => Promise<{ store: DocStore; reopen: () => Promise<DocStore> }>

function textUpdate(doc: Y.Doc, insert: string): Uint8Array {
  const before = Y.encodeStateVector(doc)
  doc.getText('text').insert(doc.getText('text').length, insert)
  return Y.encodeStateAsUpdate(doc, before)
}

/** The text of a stored document: its snapshot, then its log. */
export function storedText(stored: StoredDoc): string {
  const doc = new Y.Doc()
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot.update)
  for (const update of stored.log) Y.applyUpdate(doc, update)
  return doc.getText('text').toString()
}

function snapshotOf(doc: Y.Doc): Snapshot {
  return { update: Y.encodeStateAsUpdate(doc), stateVector: Y.encodeStateVector(doc) }
}

/** Registers the contract tests for one store implementation. */
export function runStoreContract(storeName: string, open: StoreFactory): void {
  test(`${storeName}: a document never written loads empty`, async (t) => {
    const { store } = await open(t)
    assert.deepEqual(await store.load('nothing-here'), {
      snapshot: null,
      log: [],
      lastSeq: 0,
      meta: null,
    })
    assert.equal(await store.meta('nothing-here'), null)
  })

  test(`${storeName}: appends resolve in call order with rising sequence numbers and survive reopening`, async (t) => {
    const { store, reopen } = await open(t)
    await store.load('doc')
    const doc = new Y.Doc()
    const updates = Array.from({ length: 200 }, (_, i) => textUpdate(doc, `${i};`))
    const resolved: number[] = []
    const seqs = await Promise.all(
      updates.map((update) => store.append('doc', update).then((seq) => (resolved.push(seq), seq))),
    )
    assert.deepEqual(resolved, seqs, 'resolution order is call order')
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    )
    await store.close()

    const reopened = await reopen()
    const loaded = await reopened.load('doc')
    assert.equal(loaded.log.length, 200)
    assert.equal(loaded.snapshot, null)
    assert.equal(loaded.lastSeq, seqs.at(-1))
    assert.equal(storedText(loaded), doc.getText('text').toString())
    assert.equal(loaded.meta?.logEntries, 200)
    assert.equal(
      loaded.meta?.logBytes,
      updates.reduce((sum, update) => sum + update.length, 0),
    )
    const next = await reopened.append('doc', textUpdate(doc, 'after'))
    assert.ok(next > seqs.at(-1)!, 'sequence numbers keep rising after reopening')
  })

  test(`${storeName}: compaction replaces the entries it covers and keeps later ones`, async (t) => {
    const { store, reopen } = await open(t)
    await store.load('doc')
    const doc = new Y.Doc()
    const seqs: number[] = []
    for (let i = 0; i < 10; i++) seqs.push(await store.append('doc', textUpdate(doc, `${i}`)))
    const snapshot = snapshotOf(doc)
    const later = store.append('doc', textUpdate(doc, '+later'))
    await store.compact('doc', snapshot, seqs.at(-1)!)
    await later
    const meta = await store.meta('doc')
    assert.equal(meta?.logEntries, 1)
    assert.equal(meta?.snapshotBytes, snapshot.update.length)
    await store.close()

    const loaded = await (await reopen()).load('doc')
    assert.deepEqual(
      loaded.snapshot,
      {
        update: Buffer.from(snapshot.update),
        stateVector: Buffer.from(snapshot.stateVector),
      },
      'the snapshot comes back byte for byte',
    )
    assert.equal(loaded.log.length, 1, 'only the later entry is left in the log')
    assert.equal(storedText(loaded), '0123456789+later')
  })

  test(`${storeName}: documents are kept apart, including names that prefix each other`, async (t) => {
    const { store } = await open(t)
    const names = ['a', 'a/b', 'ab', 'a b', 'é✓', 'log']
    for (const name of names) await store.load(name)
    await Promise.all(names.map((name) => store.append(name, textUpdate(new Y.Doc(), name))))
    for (const name of names) {
      store.release(name)
      assert.equal(storedText(await store.load(name)), name)
    }
  })

  test(`${storeName}: a write that cannot be made rejects instead of resolving`, async (t) => {
    const { store } = await open(t)
    await store.load('doc')
    await store.close()
    await assert.rejects(store.append('doc', textUpdate(new Y.Doc(), 'x')))
  })
}
