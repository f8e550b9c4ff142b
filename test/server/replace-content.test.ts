// replaceContent and isEmptyDocument on plain Y.Docs: a replace is a forward change that keeps
// the Yjs items of what did not change (paragraphs, runs of text, map entries), in one
// transaction, for every kind of root type, typed or still untyped after decoding.
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import * as Y from 'yjs'
import { isEmptyDocument, replaceContent } from '../../server/documents/replace-content.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { appendParagraphs, fragmentXml } from '../helpers/document-api.js'

/** A document destroyed after the test. */
function newDoc(t: TestContext): Y.Doc {
  const doc = new Y.Doc()
  deferCleanup(t, () => doc.destroy())
  return doc
}

/** A document of these paragraphs, written by its own client. */
function paragraphsDoc(t: TestContext, ...texts: string[]): Y.Doc {
  const doc = newDoc(t)
  appendParagraphs(doc, ...texts)
  return doc
}

/** `doc` decoded into a new document, as the server holds one: its roots are untyped. */
function decoded(t: TestContext, doc: Y.Doc): Y.Doc {
  const copy = newDoc(t)
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  return copy
}

/** The Yjs item id of each child of the editor fragment, as `client:clock`. */
function childIds(doc: Y.Doc): string[] {
  return doc
    .getXmlFragment('prosemirror')
    .toArray()
    .map((child) => `${child._item!.id.client}:${child._item!.id.clock}`)
}

test('keeps the Yjs items of paragraphs that did not change and replaces those that did', (t) => {
  const base = paragraphsDoc(t, 'one', 'two', 'three', 'four')
  const target = decoded(t, base)
  const source = decoded(t, paragraphsDoc(t, 'one', 'TWO', 'three', 'four'))
  const before = childIds(decoded(t, base))

  replaceContent(target, source, null)
  assert.equal(fragmentXml(target), fragmentXml(source))
  const after = childIds(target)
  assert.deepEqual([after[0], after[2], after[3]], [before[0], before[2], before[3]])
  assert.notEqual(after[1], before[1])
  assert.ok(after[1]!.startsWith(`${target.clientID}:`), 'the changed paragraph is written anew')
})

test('inserts and deletes only the paragraphs that differ, at the start, in the middle and at the end', (t) => {
  const cases: Array<[string[], string[], number]> = [
    [['a', 'b', 'c'], ['a', 'c'], 0],
    [['a', 'b', 'c'], ['x', 'a', 'b', 'c'], 1],
    [['a', 'b', 'c'], ['a', 'b', 'x', 'y', 'c'], 2],
    [['a', 'b', 'c'], ['a', 'b', 'c', 'd'], 1],
    [['a', 'b', 'c'], [], 0],
    [[], ['a', 'b'], 2],
    [['a', 'a', 'a'], ['a', 'a'], 0],
  ]
  for (const [from, to, written] of cases) {
    const target = decoded(t, paragraphsDoc(t, ...from))
    const source = paragraphsDoc(t, ...to)
    replaceContent(target, source, null)
    const what = `${from.join()} → ${to.join()}`
    assert.equal(fragmentXml(target), fragmentXml(source), what)
    const fresh = childIds(target).filter((id) => id.startsWith(`${target.clientID}:`))
    assert.equal(fresh.length, written, `${what} writes ${written} paragraph(s)`)
  }
})

test('writes the whole change as one transaction with the given origin and leaves the source alone', (t) => {
  const target = paragraphsDoc(t, 'one', 'two')
  target.getText('title').insert(0, 'Old title')
  const source = paragraphsDoc(t, 'one', 'three', 'four')
  source.getText('title').insert(0, 'New title')
  const sourceState = Y.encodeStateAsUpdate(source)
  const origins: unknown[] = []
  target.on('update', (_update: Uint8Array, origin: unknown) => origins.push(origin))
  let sourceUpdates = 0
  source.on('update', () => sourceUpdates++)

  const origin = { kind: 'api' }
  replaceContent(target, source, origin)
  assert.deepEqual(origins, [origin])
  assert.equal(origins[0], origin)
  assert.equal(sourceUpdates, 0)
  assert.deepEqual(Y.encodeStateAsUpdate(source), sourceState)
  assert.equal(target.getText('title').toString(), 'New title')
})

test('content equal to the source writes nothing, even when its Yjs items are others', (t) => {
  const target = decoded(t, paragraphsDoc(t, 'same', 'content'))
  const source = paragraphsDoc(t, 'same', 'content')
  let updates = 0
  target.on('update', () => updates++)
  replaceContent(target, source, null)
  assert.equal(updates, 0)
})

test('a text root keeps its common start and end, so positions in them stay put', (t) => {
  const base = newDoc(t)
  base.getText('text').insert(0, 'hello world')
  for (const target of [base, decoded(t, base)]) {
    const text = target.getText('text')
    const inPrefix = Y.createRelativePositionFromTypeIndex(text, 2)
    const inSuffix = Y.createRelativePositionFromTypeIndex(text, 6)
    const source = newDoc(t)
    source.getText('text').insert(0, 'hello brave world')

    replaceContent(target, source, null)
    assert.equal(text.toString(), 'hello brave world')
    assert.equal(Y.createAbsolutePositionFromRelativePosition(inPrefix, target)?.index, 2)
    assert.equal(Y.createAbsolutePositionFromRelativePosition(inSuffix, target)?.index, 12)
  }
})

test('an untyped text root is read as text and replaced as text', (t) => {
  const base = newDoc(t)
  base.getText('notes').insert(0, 'abc')
  const target = decoded(t, base)
  const source = newDoc(t)
  source.getText('notes').insert(0, 'abXc')
  replaceContent(target, decoded(t, source), null)
  assert.equal(target.getText('notes').toString(), 'abXc')
})

test('a map root sets what changed, deletes what the source lacks and keeps equal entries', (t) => {
  const base = newDoc(t)
  const map = base.getMap<unknown>('meta')
  map.set('same', 1)
  map.set('changed', { x: 1 })
  map.set('gone', 'bye')
  const target = decoded(t, base)
  const source = newDoc(t)
  const sourceMap = source.getMap<unknown>('meta')
  sourceMap.set('same', 1)
  sourceMap.set('changed', { x: 2 })
  sourceMap.set('added', [1, 2])
  const nested = new Y.Map<unknown>()
  nested.set('deep', true)
  sourceMap.set('nested', nested)
  const itemOf = (key: string) => target.getMap('meta')._map.get(key)
  const sameItem = itemOf('same')

  replaceContent(target, source, null)
  assert.deepEqual(target.getMap('meta').toJSON(), sourceMap.toJSON())
  assert.equal(itemOf('same'), sameItem, 'an equal entry keeps its item')
  assert.equal(sameItem?.deleted, false)
  assert.ok(target.getMap('meta').get('nested') instanceof Y.Map, 'a shared type is copied')
  assert.notEqual(target.getMap('meta').get('nested'), nested)
})

test('an array root is replaced whole, shared types in it copied', (t) => {
  const base = newDoc(t)
  base.getArray('list').insert(0, [1, 'two', { three: 3 }])
  const source = newDoc(t)
  const inner = new Y.Array<number>()
  inner.insert(0, [4, 5])
  source.getArray<unknown>('list').insert(0, ['two', inner])
  for (const target of [base, decoded(t, base)]) {
    replaceContent(target, decoded(t, source), null)
    assert.deepEqual(target.getArray('list').toJSON(), ['two', [4, 5]])
  }
})

test('an untyped fragment whose first paragraph was deleted is still read as a fragment', (t) => {
  const base = paragraphsDoc(t, 'deleted', 'kept')
  base.getXmlFragment('prosemirror').delete(0, 1)
  const target = decoded(t, base)
  replaceContent(target, paragraphsDoc(t, 'kept', 'added'), null)
  assert.equal(fragmentXml(target), '<paragraph>kept</paragraph><paragraph>added</paragraph>')
})

test('roots the source lacks are emptied, and a root that changed kind is refused', (t) => {
  const target = paragraphsDoc(t, 'kept')
  target.getText('notes').insert(0, 'notes')
  target.getMap('meta').set('key', 'value')
  target.getArray('list').insert(0, [1])
  const source = paragraphsDoc(t, 'kept')
  replaceContent(target, decoded(t, source), null)
  assert.equal(fragmentXml(target), '<paragraph>kept</paragraph>')
  assert.equal(target.getText('notes').toString(), '')
  assert.equal(target.getMap('meta').size, 0)
  assert.equal(target.getArray('list').length, 0)

  const text = newDoc(t)
  text.getText('root').insert(0, 'text')
  const map = newDoc(t)
  map.getMap('root').set('now', 'a map')
  assert.throws(() => replaceContent(decoded(t, text), decoded(t, map), null), /changed kind/)
})

test('isEmptyDocument: nothing in any root, typed or not, deleted content included', (t) => {
  const doc = newDoc(t)
  assert.equal(isEmptyDocument(doc), true, 'a new document')
  doc.getXmlFragment('prosemirror')
  doc.getText('text')
  assert.equal(isEmptyDocument(doc), true, 'roots asked for, never written')
  appendParagraphs(doc, 'one')
  assert.equal(isEmptyDocument(doc), false)
  assert.equal(isEmptyDocument(decoded(t, doc)), false, 'an untyped root with content')
  doc.getXmlFragment('prosemirror').delete(0, 1)
  assert.equal(isEmptyDocument(doc), true, 'everything deleted')
  assert.equal(isEmptyDocument(decoded(t, doc)), true, 'everything deleted, untyped')

  doc.getMap('meta').set('key', 1)
  assert.equal(isEmptyDocument(doc), false, 'a map entry')
  assert.equal(isEmptyDocument(decoded(t, doc)), false, 'a map entry, untyped')
  doc.getMap('meta').delete('key')
  assert.equal(isEmptyDocument(doc), true, 'a deleted map entry')
  assert.equal(isEmptyDocument(decoded(t, doc)), true, 'a deleted map entry, untyped')
})
