// The behaviour every DocStore must have (the invariants in persistence/store.ts). Each store's
// test file runs it with a factory that opens that store on fresh storage; a store that several
// processes can share also runs the shared part, with two stores open on the same storage.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { inspect } from 'node:util'
import * as Y from 'yjs'
import {
  type DocStore,
  type DocumentInfo,
  type DocumentQuery,
  type EncodedState,
  type StoredDoc,
  type VersionInfo,
  WriterFencedError,
} from '../../persistence/store.js'
import { until } from './until.js'

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

/**
 * Opens two stores on the same fresh storage at once, as two servers sharing it would. Both are
 * closed after the test.
 */
export type SharedStoreFactory = (t: TestContext) => Promise<[DocStore, DocStore]>

/** A document as a stored one gives it: its compacted state, then its log. */
function docOf(stored: StoredDoc): Y.Doc {
  const doc = new Y.Doc()
  if (stored.compacted) Y.applyUpdate(doc, stored.compacted.update)
  for (const update of stored.log) Y.applyUpdate(doc, update)
  return doc
}

/** The text of a stored document: its compacted state, then its log. */
export function storedText(stored: StoredDoc): string {
  return docOf(stored).getText('text').toString()
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

/** Asserts that a write rejected with WriterFencedError for `room`. */
async function assertFenced(write: Promise<unknown>, room: string, what: string): Promise<void> {
  await assert.rejects(write, (error: unknown) => {
    assert.ok(error instanceof WriterFencedError, `${what}: ${inspect(error)}`)
    assert.equal(error.room, room, what)
    return true
  })
}

/** A version record with the given id and time; the rest as `overrides` say. */
const versionOf = (
  id: string,
  createdAtMs: number,
  overrides: Partial<VersionInfo> = {},
): VersionInfo => ({
  id,
  name: null,
  kind: 'auto',
  createdAtMs,
  bytes: 2,
  authors: [],
  ...overrides,
})

/** A query for every document whose name starts with `prefix`. */
const allWith = (prefix: string): DocumentQuery => ({ prefix, limit: 1000, after: null })

/** The names `listDocuments` gives for `query`, on one page (asserting there is no next one). */
async function listedNames(store: DocStore, query: DocumentQuery): Promise<string[]> {
  const page = await store.listDocuments(query)
  assert.equal(page.next, null, 'one page')
  return page.documents.map((info) => info.name)
}

/** Every page of a listing, `limit` documents at a time. */
async function listPages(store: DocStore, prefix: string, limit: number): Promise<string[][]> {
  const pages: string[][] = []
  let after: string | null = null
  do {
    const page = await store.listDocuments({ prefix, limit, after })
    pages.push(page.documents.map((info) => info.name))
    after = page.next
  } while (after !== null && pages.length < 100)
  return pages
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

  test(`${storeName}: read returns what is stored without loading the room`, async (t) => {
    const { store } = await open(t)
    const doc = new Y.Doc()
    await store.load('doc')
    const seqs = await appendEach(store, 'doc', [textUpdate(doc, 'a'), textUpdate(doc, 'b')])
    await store.compact('doc', encodedStateOf(doc), seqs[0]!)
    const loadedAgain = await store.load('doc')
    const read = await store.read('doc')
    assert.deepEqual(bytesOfState(read.compacted), bytesOfState(loadedAgain.compacted))
    assert.deepEqual(bytesOfLog(read), bytesOfLog(loadedAgain))
    assert.equal(read.lastSeq, loadedAgain.lastSeq)
    assert.equal(storedText(read), 'ab')
    assert.equal(storedText(await store.read('never-written')), '')
    await store.read('other')
    await assert.rejects(store.append('other', textUpdate(doc, 'x')), /was not loaded/)
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

  test(`${storeName}: documentInfo gives a document's bytes and times, loaded or not, also after reopening`, async (t) => {
    const { store, reopen } = await open(t)
    const startedAtMs = Date.now()
    assert.equal(await store.documentInfo('doc'), null, 'never written')
    await store.load('doc')
    assert.equal(await store.documentInfo('doc'), null, 'loading writes nothing')
    const doc = new Y.Doc()
    const first = [textUpdate(doc, 'a'), textUpdate(doc, 'bc')]
    const seqs = await appendEach(store, 'doc', first)
    const afterAppends = await store.documentInfo('doc')
    assert.ok(afterAppends, 'written')
    assert.equal(afterAppends.name, 'doc')
    assert.equal(afterAppends.bytes, first[0]!.length + first[1]!.length, 'the log counts')
    assert.ok(afterAppends.createdAtMs >= startedAtMs && afterAppends.createdAtMs <= Date.now())
    assert.ok(afterAppends.updatedAtMs >= afterAppends.createdAtMs)

    const state = encodedStateOf(doc)
    await store.compact('doc', state, seqs.at(-1)!)
    const later = textUpdate(doc, 'd')
    await store.append('doc', later)
    const loaded = await store.documentInfo('doc')
    assert.equal(loaded?.bytes, state.update.length + later.length, 'compacted state + log')
    assert.equal(loaded.createdAtMs, afterAppends.createdAtMs, 'created when first written')
    assert.ok(loaded.updatedAtMs >= afterAppends.updatedAtMs)
    // Evicted right after the append resolved, while a store may still be writing it.
    store.evict('doc')
    assert.deepEqual(await store.documentInfo('doc'), loaded, 'the same when not loaded')
    await store.close()

    const reopened = await reopen()
    assert.deepEqual(await reopened.documentInfo('doc'), loaded, 'the same after reopening')
    await reopened.load('doc')
    assert.deepEqual(await reopened.documentInfo('doc'), loaded, 'and loaded again')
  })

  test(`${storeName}: listDocuments gives written documents in UTF-16 order, by prefix and page by page, also after reopening`, async (t) => {
    const { store, reopen } = await open(t)
    // In UTF-16 code unit order; U+1F600 (surrogates D83D DE00) comes before U+FF01.
    const names = ['a', 'a b', 'a/b', 'ab', 'b', 'é', '\u{1F600}', '\uFF01']
    for (const [i, name] of [...names].reverse().entries()) {
      await store.load(name)
      await store.append(name, textUpdate(new Y.Doc(), `${name}${'!'.repeat(i)}`))
      // Some are listed from what is loaded, the others from what is stored.
      if (i % 2 === 0) store.evict(name)
    }
    await store.load('loaded, never written')
    await store.putVersion('versions only', versionOf('1', 1), Uint8Array.of(0, 0))
    const expected = await Promise.all(names.map((name) => store.documentInfo(name)))
    const check = async (of: DocStore, when: string): Promise<void> => {
      const page = await of.listDocuments(allWith(''))
      assert.deepEqual(page, { documents: expected, next: null }, `every document ${when}`)
      assert.deepEqual(await listedNames(of, allWith('a')), ['a', 'a b', 'a/b', 'ab'], when)
      assert.deepEqual(await listedNames(of, allWith('a/')), ['a/b'], when)
      assert.deepEqual(await listedNames(of, allWith('abc')), [], when)
      assert.deepEqual(
        await listPages(of, '', 3),
        [
          ['a', 'a b', 'a/b'],
          ['ab', 'b', 'é'],
          ['\u{1F600}', '\uFF01'],
        ],
        `page by page ${when}`,
      )
      const exact = await of.listDocuments({ prefix: '', limit: names.length, after: null })
      assert.equal(exact.next, null, `a page that ends with the last document is the last ${when}`)
      const short = await of.listDocuments({ prefix: '', limit: names.length - 1, after: null })
      assert.equal(short.next, '\u{1F600}', `next is the page's last name ${when}`)
      const afterInPrefix = { prefix: 'a', limit: 10, after: 'a b' }
      assert.deepEqual(await listedNames(of, afterInPrefix), ['a/b', 'ab'], when)
      const afterBeforePrefix = { prefix: 'b', limit: 10, after: 'a' }
      assert.deepEqual(await listedNames(of, afterBeforePrefix), ['b'], when)
      const afterAll = { prefix: '', limit: 10, after: '\uFF01' }
      assert.deepEqual(await listedNames(of, afterAll), [], when)
    }
    await check(store, 'while open')
    await assert.rejects(store.listDocuments({ prefix: '', limit: 0, after: null }), RangeError)
    await store.close()
    await check(await reopen(), 'after reopening')
  })

  test(`${storeName}: deleteDocument removes a document with its log and versions; its sequence numbers go on`, async (t) => {
    const { store, reopen } = await open(t)
    const doc = new Y.Doc()
    await store.load('doc')
    const seqs = await appendEach(store, 'doc', [textUpdate(doc, 'a'), textUpdate(doc, 'b')])
    await store.compact('doc', encodedStateOf(doc), seqs.at(-1)!)
    // Names that the deleted one prefixes, or that prefix it, keep everything.
    for (const name of ['do', 'doc/x']) {
      await store.load(name)
      await store.append(name, textUpdate(new Y.Doc(), name))
      await store.putVersion(name, versionOf('1', 1), Uint8Array.of(2, 2))
    }
    await store.putVersion('doc', versionOf('1', 1), Uint8Array.of(1, 1))
    const lastSeq = await store.append('doc', textUpdate(doc, 'c'))
    await assert.rejects(store.deleteDocument('doc'), /is loaded/, 'a loaded room cannot be')
    // Evicted right after its last append resolved, while a store may still be writing it.
    store.evict('doc')
    await store.deleteDocument('doc')
    await store.deleteDocument('never written')

    const checkDeleted = async (of: DocStore, when: string): Promise<void> => {
      assert.equal(await of.documentInfo('doc'), null, when)
      assert.deepEqual(await listedNames(of, allWith('')), ['do', 'doc/x'], when)
      assert.deepEqual(await of.listVersions('doc'), [], when)
      assert.equal(await of.readVersion('doc', '1'), null, when)
      for (const name of ['do', 'doc/x']) {
        assert.equal((await of.listVersions(name)).length, 1, `${name} keeps its version ${when}`)
      }
    }
    await checkDeleted(store, 'at once')
    await store.close()
    const reopened = await reopen()
    await checkDeleted(reopened, 'after reopening')
    assert.deepEqual(await reopened.load('doc'), { compacted: null, log: [], lastSeq })
    assert.equal(storedText(await reopened.load('doc/x')), 'doc/x')
    const next = await reopened.append('doc', textUpdate(new Y.Doc(), 'new'))
    assert.ok(next > lastSeq, 'sequence numbers go on after a delete')
    assert.equal((await reopened.documentInfo('doc'))?.name, 'doc', 'written again')
    assert.deepEqual(await listedNames(reopened, allWith('doc')), ['doc', 'doc/x'])
  })

  test(`${storeName}: importDocument replaces a document by a state and keeps its versions; its sequence numbers go on`, async (t) => {
    const { store, reopen } = await open(t)
    await store.load('doc')
    await store.putVersion('doc', versionOf('1', 1), Uint8Array.of(1, 1))
    // The last append right before the eviction and import, while a store may still write it.
    const lastSeq = (await appendEach(store, 'doc', [textUpdate(new Y.Doc(), 'old')])).at(-1)!
    const imported = new Y.Doc()
    textUpdate(imported, 'imported')
    const content = { state: encodedStateOf(imported), createdAtMs: 1000, updatedAtMs: 2000 }
    await assert.rejects(store.importDocument('doc', content), /is loaded/)
    store.evict('doc')
    await store.importDocument('doc', content)
    await store.importDocument('fresh', content)

    const info = (name: string): DocumentInfo => ({
      name,
      bytes: content.state.update.length,
      createdAtMs: 1000,
      updatedAtMs: 2000,
    })
    assert.deepEqual(await store.documentInfo('doc'), info('doc'))
    assert.deepEqual((await store.listDocuments(allWith(''))).documents, [
      info('doc'),
      info('fresh'),
    ])
    assert.deepEqual(
      (await store.listVersions('doc')).map((version) => version.id),
      ['1'],
    )
    const loaded = await store.load('doc')
    assert.deepEqual(bytesOfState(loaded.compacted), bytesOfState(content.state), 'byte for byte')
    assert.deepEqual(loaded.log, [])
    assert.equal(loaded.lastSeq, lastSeq, 'the imported state covers every number used')
    const later = textUpdate(imported, '+')
    const next = await store.append('doc', later)
    assert.ok(next > lastSeq, 'sequence numbers go on after an import')
    await store.close()

    const reopened = await reopen()
    const reloaded = await reopened.load('doc')
    assert.deepEqual(bytesOfState(reloaded.compacted), bytesOfState(content.state))
    assert.deepEqual(bytesOfLog(reloaded), [bytes(later)])
    assert.equal(storedText(reloaded), 'imported+')
    assert.equal(storedText(await reopened.load('fresh')), 'imported')
    assert.equal((await reopened.load('fresh')).lastSeq, 0)
  })

  test(`${storeName}: versions are listed newest first, replaced by id and deleted, loaded or not, also after reopening`, async (t) => {
    const { store, reopen } = await open(t)
    const older = versionOf('100', 100)
    const named = versionOf('300', 300, { kind: 'named', name: 'release' })
    const restore = versionOf('301', 300, {
      kind: 'restore',
      authors: [
        { userId: 'u1', name: 'Ada', isVerified: true, clientIds: [1, 2] },
        { userId: null, name: 'guest', isVerified: false, clientIds: [3] },
      ],
    })
    const gone = versionOf('200', 200)
    // One put before the room is loaded, the others while it is.
    await store.putVersion('doc', older, Uint8Array.of(1, 0))
    await store.load('doc')
    await store.putVersion('doc', named, Uint8Array.of(3, 0))
    await store.putVersion('doc', restore, Uint8Array.of(3, 1))
    await store.putVersion('doc', gone, Uint8Array.of(2, 0))
    await store.putVersion('doc/x', versionOf('999', 999), Uint8Array.of(9, 9))
    assert.deepEqual(await store.listVersions('doc'), [restore, named, gone, older])
    await store.deleteVersion('doc', gone.id)
    await store.deleteVersion('doc', 'no such version')
    assert.equal(await store.readVersion('doc', gone.id), null)
    store.evict('doc')
    // Replacing one by its id: the record and the content both change.
    const renamed = { ...older, kind: 'named' as const, name: 'first' }
    await store.putVersion('doc', renamed, Uint8Array.of(1, 1))

    const check = async (of: DocStore, when: string): Promise<void> => {
      assert.deepEqual(await of.listVersions('doc'), [restore, named, renamed], when)
      assert.deepEqual(bytes((await of.readVersion('doc', '100'))!), Buffer.of(1, 1), when)
      assert.deepEqual(bytes((await of.readVersion('doc', '300'))!), Buffer.of(3, 0), when)
      assert.deepEqual(bytes((await of.readVersion('doc', '301'))!), Buffer.of(3, 1), when)
      assert.equal(await of.readVersion('doc', '999'), null, `kept apart from doc/x ${when}`)
      assert.equal((await of.listVersions('doc/x')).length, 1, when)
      assert.deepEqual(await of.listVersions('none'), [], when)
      assert.equal(await of.documentInfo('doc'), null, `versions do not write a document ${when}`)
      assert.deepEqual(await listedNames(of, allWith('')), [], when)
    }
    await check(store, 'while open')
    await store.close()
    const reopened = await reopen()
    await check(reopened, 'after reopening')
    await reopened.load('doc')
    await reopened.deleteVersion('doc', '301')
    assert.deepEqual(await reopened.listVersions('doc'), [named, renamed], 'deleted while loaded')
  })

  test(`${storeName}: a version id may be any string, the empty one included`, async (t) => {
    const { store, reopen } = await open(t)
    const ids = ['', 'a', 'a\0b', 'é/\u{1F600}']
    for (const [i, id] of ids.entries())
      await store.putVersion('doc', versionOf(id, i), Uint8Array.of(i))
    await store.close()
    const reopened = await reopen()
    const listed = await reopened.listVersions('doc')
    assert.deepEqual(
      listed.map((version) => version.id),
      [...ids].reverse(),
    )
    for (const [i, id] of ids.entries()) {
      assert.deepEqual(
        bytes((await reopened.readVersion('doc', id))!),
        Buffer.of(i),
        JSON.stringify(id),
      )
    }
    await reopened.deleteDocument('doc')
    assert.deepEqual(await reopened.listVersions('doc'), [], 'a delete removes them all')
  })

  test(`${storeName}: the document and version calls of a closed store reject`, async (t) => {
    const { store } = await open(t)
    await store.close()
    const state = encodedStateOf(new Y.Doc())
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['listDocuments', () => store.listDocuments(allWith(''))],
      ['documentInfo', () => store.documentInfo('doc')],
      ['deleteDocument', () => store.deleteDocument('doc')],
      [
        'importDocument',
        () => store.importDocument('doc', { state, createdAtMs: 1, updatedAtMs: 1 }),
      ],
      ['putVersion', () => store.putVersion('doc', versionOf('1', 1), Uint8Array.of(0, 0))],
      ['listVersions', () => store.listVersions('doc')],
      ['readVersion', () => store.readVersion('doc', '1')],
      ['deleteVersion', () => store.deleteVersion('doc', '1')],
    ]
    for (const [name, call] of calls) await assert.rejects(call(), /closed/, name)
  })
}

/**
 * Registers the tests of a store that several processes can share (persistence/store.ts): a load
 * makes the loading store the room's writer and fences the one that had it.
 */
export function runSharedStoreContract(storeName: string, openTwo: SharedStoreFactory): void {
  test(`${storeName}: a read by another store fences nothing`, async (t) => {
    const [first, second] = await openTwo(t)
    await first.load('doc')
    const doc = new Y.Doc()
    await first.append('doc', textUpdate(doc, 'a'))
    assert.equal(storedText(await second.read('doc')), 'a')
    await first.append('doc', textUpdate(doc, 'b'))
    assert.equal(storedText(await second.read('doc')), 'ab')
  })

  test(`${storeName}: a load by another store fences this one: its appends and compactions reject and write nothing`, async (t) => {
    const [first, second] = await openTwo(t)
    await first.load('doc')
    const doc = new Y.Doc()
    const before = [textUpdate(doc, 'a'), textUpdate(doc, 'b')]
    const seqs = await appendEach(first, 'doc', before)
    const taken = await second.load('doc')
    assert.deepEqual(bytesOfLog(taken), before.map(bytes), 'what was appended before the claim')
    assert.equal(taken.lastSeq, seqs.at(-1))

    const infoBefore = await second.documentInfo('doc')
    await assertFenced(first.append('doc', textUpdate(doc, 'c')), 'doc', 'an append')
    await assertFenced(first.compact('doc', encodedStateOf(doc), seqs.at(-1)!), 'doc', 'compact')
    assert.deepEqual(await second.documentInfo('doc'), infoBefore, 'nothing written')
    const takenDoc = docOf(taken)
    const own = textUpdate(takenDoc, 'd')
    const ownSeq = await second.append('doc', own)
    assert.ok(ownSeq > seqs.at(-1)!, 'the new writer goes on after the numbers used')

    second.evict('doc')
    const loaded = await second.load('doc')
    assert.equal(loaded.compacted, null, 'the fenced compaction changed nothing')
    assert.deepEqual(bytesOfLog(loaded), [...before, own].map(bytes))
    assert.equal(loaded.lastSeq, ownSeq)
    assert.equal(storedText(loaded), 'abd')
  })

  test(`${storeName}: appends under way when another store loads are in its load or fenced, and its compaction keeps everything`, async (t) => {
    const [first, second] = await openTwo(t)
    await first.load('doc')
    const doc = new Y.Doc()
    const resolved: Uint8Array[] = []
    const rejected: unknown[] = []
    let isTaken = false
    const append = (i: number): Promise<void> => {
      const update = textUpdate(doc, `${i};`)
      return first.append('doc', update).then(
        () => void resolved.push(update),
        (error: unknown) => void rejected.push(error),
      )
    }
    // One append per turn of the event loop, some of them in flight as the other store claims.
    const appending = (async () => {
      const calls: Promise<void>[] = []
      while (!isTaken) {
        calls.push(append(calls.length))
        await new Promise(setImmediate)
      }
      for (let i = 0; i < 5; i++) calls.push(append(calls.length))
      await Promise.all(calls)
    })()
    await until(() => resolved.length >= 5, { what: 'the first appends to resolve' })
    const taken = await second.load('doc')
    isTaken = true
    await appending

    assert.ok(rejected.length >= 5, 'the appends made after the load are fenced')
    for (const error of rejected) assert.ok(error instanceof WriterFencedError, inspect(error))
    assert.deepEqual(
      bytesOfLog(taken),
      resolved.map(bytes),
      'the load holds exactly the appends that resolved, in order',
    )
    const takenDoc = docOf(taken)
    const text = takenDoc.getText('text').toString()
    const ownSeq = await second.append('doc', textUpdate(takenDoc, 'second'))
    await second.compact('doc', encodedStateOf(takenDoc), ownSeq)
    second.evict('doc')
    const compacted = await second.load('doc')
    assert.deepEqual(compacted.log, [])
    assert.equal(
      storedText(compacted),
      `${text}second`,
      'compacting through its last drops nothing',
    )
  })

  test(`${storeName}: fencing is per room, also for appends written together`, async (t) => {
    const [first, second] = await openTwo(t)
    await first.load('a')
    await first.load('b')
    await second.load('a')
    // Called in the same turn, so a store that batches writes them together.
    const [inA, inB] = await Promise.allSettled([
      first.append('a', textUpdate(new Y.Doc(), 'a')),
      first.append('b', textUpdate(new Y.Doc(), 'b')),
    ])
    assert.ok(inA.status === 'rejected' && inA.reason instanceof WriterFencedError, inspect(inA))
    assert.equal(inB.status, 'fulfilled', inspect(inB))
    assert.equal(storedText(await second.load('a')), '')
    assert.equal(storedText(await second.load('b')), 'b')
  })

  test(`${storeName}: a fenced store is the writer again once it evicts the room and loads it, and numbers go on rising`, async (t) => {
    const [first, second] = await openTwo(t)
    await first.load('doc')
    const firstSeqs = await appendEach(first, 'doc', [textUpdate(new Y.Doc(), 'x')])
    const secondDoc = docOf(await second.load('doc'))
    // Loading again without evicting only reads: it does not claim the room back.
    assert.equal(storedText(await first.load('doc')), 'x')
    await assertFenced(first.append('doc', textUpdate(new Y.Doc(), '!')), 'doc', 'reloaded')
    const secondSeqs = await appendEach(second, 'doc', [textUpdate(secondDoc, 'y')])

    first.evict('doc')
    const back = await first.load('doc')
    assert.equal(storedText(back), 'xy')
    const firstDoc = docOf(back)
    const againSeqs = await appendEach(first, 'doc', [textUpdate(firstDoc, 'z')])
    await assertFenced(second.append('doc', textUpdate(secondDoc, '?')), 'doc', 'the other')
    const seqs = [...firstSeqs, ...secondSeqs, ...againSeqs]
    assertRising(seqs, 'each writer goes on after the numbers the one before used')
    await first.compact('doc', encodedStateOf(firstDoc), againSeqs.at(-1)!)

    second.evict('doc')
    const loaded = await second.load('doc')
    assert.equal(storedText(loaded), 'xyz')
    assert.equal(loaded.lastSeq, seqs.at(-1))
  })

  test(`${storeName}: deleting or importing a room fences the store that loaded it`, async (t) => {
    const [writer, operator] = await openTwo(t)
    await writer.load('doc')
    const lastSeq = await writer.append('doc', textUpdate(new Y.Doc(), 'old'))
    await operator.deleteDocument('doc')
    await assertFenced(writer.append('doc', textUpdate(new Y.Doc(), 'x')), 'doc', 'after delete')
    assert.equal(await operator.documentInfo('doc'), null, 'still deleted')

    writer.evict('doc')
    assert.deepEqual(await writer.load('doc'), { compacted: null, log: [], lastSeq })
    const imported = new Y.Doc()
    textUpdate(imported, 'imported')
    const content = { state: encodedStateOf(imported), createdAtMs: 1000, updatedAtMs: 2000 }
    await operator.importDocument('doc', content)
    await assertFenced(writer.append('doc', textUpdate(new Y.Doc(), 'y')), 'doc', 'after import')
    await assertFenced(
      writer.compact('doc', encodedStateOf(new Y.Doc()), lastSeq),
      'doc',
      'a compaction after import',
    )

    writer.evict('doc')
    const loaded = await writer.load('doc')
    assert.deepEqual(bytesOfState(loaded.compacted), bytesOfState(content.state))
    assert.deepEqual(loaded.log, [])
    const next = await writer.append('doc', textUpdate(docOf(loaded), '+'))
    assert.ok(next > lastSeq, 'numbers go on after both')
    writer.evict('doc')
    assert.equal(storedText(await writer.load('doc')), 'imported+')
  })
}
