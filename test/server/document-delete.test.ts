// Deleting a document through the API against a real server: connected stock clients are closed
// with 4410 and stay closed, every route then answers 404, versions go with the document, a later
// client starts from nothing, and the name can be written again.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { WebsocketProvider } from 'y-websocket'
import { connectProvider, waitSynced } from '../helpers/client.js'
import {
  type DocumentListJson,
  appendParagraphs,
  assertRefusal,
  contentOf,
  documentPath,
  fragmentXml,
  jsonOf,
  putContent,
  request,
  saveNamedVersion,
  versionsOf,
} from '../helpers/document-api.js'
import { startServer } from '../helpers/start-server.js'
import { holdsFor } from '../helpers/holds-for.js'
import { until } from '../helpers/until.js'

/** Records the terminal close (`closed` event) of a stock provider. */
function closeOf(provider: WebsocketProvider): () => { code: number; reason: string } | null {
  let closed: { code: number; reason: string } | null = null
  provider.on('closed', (event) => (closed = event))
  return () => closed
}

test('DELETE answers 204 and closes connected clients with 4410 for good', async (t) => {
  const server = await startServer(t)
  await putContent(server, 'doomed', 'text', 'to be deleted')
  const a = connectProvider(t, server.url, 'doomed')
  const b = connectProvider(t, server.url, 'doomed')
  const closes = [closeOf(a), closeOf(b)]
  await Promise.all([waitSynced(a), waitSynced(b)])

  const reply = await request(server, 'DELETE', documentPath('doomed'))
  assert.equal(reply.status, 204)
  assert.equal(reply.text, '')
  await until(() => closes.every((closed) => closed() !== null), {
    what: 'both clients to be closed',
  })
  for (const closed of closes) {
    assert.deepEqual(closed(), { code: 4410, reason: 'document deleted' })
  }
  assert.equal(a.shouldConnect, false, 'a stock client does not reconnect after 4410')
  assert.equal(b.wsconnected || b.wsconnecting, false)
  assertRefusal(
    await request(server, 'GET', documentPath('doomed')),
    404,
    'COLLAB_DOCUMENT_NOT_FOUND',
  )
})

test('after a DELETE the entry, content, versions and the document list know it no more', async (t) => {
  const server = await startServer(t)
  await putContent(server, 'gone', 'text', 'old content')
  await saveNamedVersion(server, 'gone', 'kept until deleted')
  await putContent(server, 'other', 'text', 'stays')
  assert.equal((await versionsOf(server, 'gone')).length, 1)

  assert.equal((await request(server, 'DELETE', documentPath('gone'))).status, 204)
  for (const path of ['', '/content', '/content?format=yjs', '/versions', '/inspect']) {
    const reply = await request(server, 'GET', `${documentPath('gone')}${path}`)
    assertRefusal(reply, 404, 'COLLAB_DOCUMENT_NOT_FOUND')
  }
  assertRefusal(
    await request(server, 'DELETE', documentPath('gone')),
    404,
    'COLLAB_DOCUMENT_NOT_FOUND',
  )
  const listed = jsonOf<DocumentListJson>(await request(server, 'GET', '/api/documents'), 200)
  assert.deepEqual(
    listed.documents.map((entry) => entry.name),
    ['other'],
  )
  assert.equal(await contentOf(server, 'other', 'text'), 'stays', 'other documents are untouched')
})

test('a client connecting after a DELETE starts from an empty document', async (t) => {
  const server = await startServer(t)
  const before = connectProvider(t, server.url, 'renewed')
  await waitSynced(before)
  appendParagraphs(before.doc, 'written by a client')
  await until(async () => (await request(server, 'GET', documentPath('renewed'))).status === 200, {
    what: 'the document to be stored',
  })
  const closed = closeOf(before)
  assert.equal((await request(server, 'DELETE', documentPath('renewed'))).status, 204)
  await until(() => closed() !== null, { what: 'the client to be closed' })

  const after = connectProvider(t, server.url, 'renewed')
  await waitSynced(after)
  assert.equal(fragmentXml(after.doc), '')
  assert.equal(after.doc.store.clients.size, 0, 'not one Yjs item of the old document')
  assertRefusal(
    await request(server, 'GET', documentPath('renewed')),
    404,
    'COLLAB_DOCUMENT_NOT_FOUND',
  )
})

test('a deleted document can be written again, with none of its old versions', async (t) => {
  const server = await startServer(t)
  await putContent(server, 'again', 'text', 'first life')
  const old = await saveNamedVersion(server, 'again', 'first')
  assert.equal((await request(server, 'DELETE', documentPath('again'))).status, 204)

  const created = await putContent(server, 'again', 'markdown', 'second **life**')
  assert.deepEqual(jsonOf(created, 201), { name: 'again', created: true })
  assert.equal(await contentOf(server, 'again', 'text'), 'second life')
  assert.deepEqual(await versionsOf(server, 'again'), [])
  const path = `${documentPath('again')}/versions/${old.id}/content`
  assertRefusal(await request(server, 'GET', path), 404, 'COLLAB_VERSION_NOT_FOUND')

  const client = connectProvider(t, server.url, 'again')
  await waitSynced(client)
  assert.equal(fragmentXml(client.doc), '<paragraph>second <strong>life</strong></paragraph>')
  const fresh = await saveNamedVersion(server, 'again', 'second')
  assert.deepEqual(
    (await versionsOf(server, 'again')).map((version) => version.id),
    [fresh.id],
  )
})

test('a DELETE while a client edits leaves no automatic version behind', async (t) => {
  const interval = 150
  const server = await startServer(t, { limits: { versionIntervalMs: interval } })
  const client = connectProvider(t, server.url, 'busy')
  const closed = closeOf(client)
  await waitSynced(client)
  appendParagraphs(client.doc, 'an edit whose version is due in one interval')
  await until(async () => (await request(server, 'GET', documentPath('busy'))).status === 200, {
    what: 'the edit to be stored',
  })
  assert.equal((await request(server, 'DELETE', documentPath('busy'))).status, 204)
  await until(() => closed() !== null, { what: 'the client to be closed' })
  // The version timer was due one interval after the edit; nothing may appear for three.
  await holdsFor(
    async () =>
      (await request(server, 'GET', `${documentPath('busy')}/versions`)).status === 404 &&
      (await server.store.listVersions('busy')).length === 0,
    { durationMs: 3 * interval, what: 'the deleted document to have no versions' },
  )
  assert.deepEqual(await server.store.listVersions('busy'), [])
})
