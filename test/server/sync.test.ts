import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Y from 'yjs'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { startServer } from '../helpers/start-server.js'
import { until } from '../helpers/until.js'

test('two stock providers converge on Y.Text, Y.Map and Y.XmlFragment edits', async (t) => {
  const { url } = await startServer(t)
  const a = connectProvider(t, url, 'shared-doc')
  const b = connectProvider(t, url, 'shared-doc')
  await Promise.all([waitSynced(a), waitSynced(b)])

  a.doc.getText('text').insert(0, 'hello ')
  b.doc.getText('text').insert(0, 'world ')
  a.doc.getMap('map').set('from-a', 1)
  b.doc.getMap('map').set('from-b', 2)
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText('rich')])
  a.doc.getXmlFragment('prosemirror').insert(0, [paragraph])

  await until(
    () =>
      a.doc.getText('text').length === 12 &&
      b.doc.getText('text').toString() === a.doc.getText('text').toString() &&
      b.doc.getMap('map').size === 2 &&
      a.doc.getMap('map').size === 2 &&
      b.doc.getXmlFragment('prosemirror').toString() === '<paragraph>rich</paragraph>',
    { what: 'both documents to converge' },
  )
  assert.deepEqual(b.doc.getMap('map').toJSON(), { 'from-a': 1, 'from-b': 2 })
  assert.deepEqual(Y.encodeStateVector(a.doc), Y.encodeStateVector(b.doc))
})

test('edits made while a client is disconnected merge when it reconnects', async (t) => {
  const { url } = await startServer(t)
  const a = connectProvider(t, url, 'offline-doc')
  const b = connectProvider(t, url, 'offline-doc')
  await Promise.all([waitSynced(a), waitSynced(b)])
  a.doc.getText('text').insert(0, 'base')
  await until(() => b.doc.getText('text').toString() === 'base', { what: 'base text to reach b' })

  b.disconnect()
  b.doc.getText('text').insert(4, ' offline-b')
  a.doc.getText('text').insert(0, 'online-a ')
  await until(() => a.doc.getText('text').toString() === 'online-a base', {
    what: 'a to apply its edit',
  })
  b.connect()

  const expected = 'online-a base offline-b'
  await until(
    () =>
      a.doc.getText('text').toString() === expected &&
      b.doc.getText('text').toString() === expected,
    { what: 'offline edits to merge' },
  )
  const fresh = connectProvider(t, url, 'offline-doc')
  await waitSynced(fresh)
  await until(() => fresh.doc.getText('text').toString() === expected, {
    what: 'a fresh client to get the merged text',
  })
})
