import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Y from 'yjs'
import { checkUpdate } from '../../protocol/update-check.js'
import { nestedMaps, nestingClient, pendingText } from '../helpers/hostile-updates.js'

/** The update `edit` makes to a document that holds `base` already. */
function changeTo(base: Uint8Array, edit: (doc: Y.Doc) => void, clientID = 77): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = clientID
  Y.applyUpdate(doc, base)
  const before = Y.encodeStateVector(doc)
  edit(doc)
  const update = Y.encodeStateAsUpdate(doc, before)
  doc.destroy()
  return update
}

test('nested maps in one update nest as deep as they are, under the root', () => {
  assert.deepEqual(checkUpdate(nestedMaps(150)).nesting(), [
    { place: { kind: 'root' }, levels: 150 },
  ])
})

test('typing creates no types, and needs the character it follows', () => {
  const base = changeTo(new Uint8Array([0, 0]), (doc) => doc.getText('text').insert(0, 'ab'), 5)
  const typing = changeTo(base, (doc) => doc.getText('text').insert(2, 'cd'))
  const shape = checkUpdate(typing)
  assert.deepEqual(shape.nesting(), [])
  assert.deepEqual(shape.ranges, [{ client: 77, start: 0, end: 2 }])
  assert.deepEqual([...shape.needs], [[5, 2]])
})

test('a paragraph added after another nests two levels under the fragment, placed beside it', () => {
  const base = changeTo(
    new Uint8Array([0, 0]),
    (doc) => {
      const paragraph = new Y.XmlElement('paragraph')
      paragraph.insert(0, [new Y.XmlText('first')])
      doc.getXmlFragment('prosemirror').insert(0, [paragraph])
    },
    5,
  )
  const added = changeTo(base, (doc) => {
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText('second')])
    doc.getXmlFragment('prosemirror').insert(1, [paragraph])
  })
  assert.deepEqual(checkUpdate(added).nesting(), [
    { place: { kind: 'beside', client: 5, clock: 0 }, levels: 2 },
  ])
})

test('maps nested under a map of the document nest under that map', () => {
  const base = nestedMaps(3)
  const deeper = changeTo(base, (doc) => {
    let map = doc.getMap('poison')
    while (map.get('inner') instanceof Y.Map) map = map.get('inner') as Y.Map<unknown>
    map.set('inner', new Y.Map([['x', new Y.Map()]]))
  })
  assert.deepEqual(checkUpdate(deeper).nesting(), [
    { place: { kind: 'inside', client: nestingClient, clock: 2 }, levels: 2 },
  ])
})

test('text after a character that never existed needs a client the document lacks', () => {
  const shape = checkUpdate(pendingText(10, 100))
  assert.deepEqual(shape.ranges, [{ client: 10, start: 0, end: 100 }])
  assert.deepEqual([...shape.needs], [[11, 1_001]])
})
