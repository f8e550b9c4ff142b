import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Y from 'yjs'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { startServer } from '../helpers/start-server.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

test('a document loaded cold from its snapshot serves fresh, returning and editing clients', async (t) => {
  const dataDirectory = await makeTempDir(t)
  const first = await startServer(t, { dataDirectory })
  const author = connectProvider(t, first.url, 'cold')
  await waitSynced(author)
  author.doc.getText('text').insert(0, 'stored paragraph')
  await first.events.waitFor('updateStored', 'cold')
  // A returning client keeps a copy of the document and edits it while the server is down.
  const returningDoc = new Y.Doc()
  Y.applyUpdate(returningDoc, Y.encodeStateAsUpdate(author.doc))
  author.destroy()
  await first.stop()
  returningDoc.getText('text').insert(0, 'offline edit, ')

  const second = await startServer(t, { dataDirectory })
  const fresh = connectProvider(t, second.url, 'cold')
  await waitSynced(fresh)
  assert.equal(fresh.doc.getText('text').toString(), 'stored paragraph')

  const returning = connectProvider(t, second.url, 'cold', returningDoc)
  await waitSynced(returning)
  await until(() => fresh.doc.getText('text').toString() === 'offline edit, stored paragraph', {
    what: 'the returning client to merge its offline edit',
  })
  fresh.doc.getText('text').insert(fresh.doc.getText('text').length, '.')
  await until(
    () => returning.doc.getText('text').toString() === 'offline edit, stored paragraph.',
    {
      what: 'an edit after the cold load to be relayed',
    },
  )
  const late = connectProvider(t, second.url, 'cold')
  await waitSynced(late)
  assert.equal(late.doc.getText('text').toString(), 'offline edit, stored paragraph.')
})
