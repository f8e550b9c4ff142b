import assert from 'node:assert/strict'
import { test } from 'node:test'
import { prosemirrorJSONToYXmlFragment } from 'y-prosemirror'
import { documentFragmentName } from '../../content/document-content.js'
import { editorSchema } from '../../editor/schema.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { spawnServer } from '../helpers/start-server.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'
import { verifySignature } from '../../webhooks/signature.js'
import { startReceiver } from './receiver.js'

const secret = 'a-webhook-secret-of-some-length'

test('the server command POSTs signed, debounced document events with the content to every --webhook-url', async (t) => {
  const first = await startReceiver(t)
  const second = await startReceiver(t)
  const server = await spawnServer(t, await makeTempDir(t), [
    '--webhook-url',
    first.url,
    '--webhook-url',
    second.url,
    '--webhook-secret',
    secret,
    '--webhook-debounce-ms',
    '200',
    '--webhook-content',
    'text',
    '--unload-grace-ms',
    '100',
  ])
  const writer = connectProvider(t, server.url, 'minutes')
  await waitSynced(writer)
  const fragment = writer.doc.getXmlFragment(documentFragmentName)
  prosemirrorJSONToYXmlFragment(
    editorSchema,
    { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Agenda' }] }] },
    fragment,
  )
  const text = writer.doc.getText('notes')
  for (let i = 0; i < 30; i++) text.insert(text.length, `${i} `)
  await until(() => first.of('document.changed').length > 0, { what: 'document.changed' })
  writer.destroy()
  await until(() => second.of('document.unloaded').length > 0, { what: 'document.unloaded' })

  for (const receiver of [first, second]) {
    assert.deepEqual(
      receiver.calls.map((call) => call.body.event),
      ['document.loaded', 'document.changed', 'document.unloaded'],
      'a burst of 31 edits gives one document.changed',
    )
    for (const call of receiver.calls) {
      assert.ok(verifySignature(secret, call.rawBody, String(call.headers['x-collab-signature'])))
      assert.equal(call.headers['x-collab-event'], call.body.event)
      assert.equal(call.body.document, 'minutes')
      assert.ok(!Number.isNaN(Date.parse(call.body.time)))
    }
  }
  assert.equal(
    first.of('document.changed')[0]!.body.id,
    second.of('document.changed')[0]!.body.id,
    'one event, the same id at every receiver',
  )
  assert.equal(first.of('document.changed')[0]!.body.content, 'Agenda')
})

test('a receiver that never answers does not slow editing', async (t) => {
  const hanging = await startReceiver(t, () => 'hang')
  const server = await spawnServer(t, await makeTempDir(t), [
    '--webhook-url',
    hanging.url,
    '--webhook-secret',
    secret,
    '--webhook-debounce-ms',
    '1',
    '--webhook-max-wait-ms',
    '1',
  ])
  const writer = connectProvider(t, server.url, 'busy')
  const reader = connectProvider(t, server.url, 'busy')
  await Promise.all([waitSynced(writer), waitSynced(reader)])
  await hanging.waitForCalls(1, 'the first call, which hangs')
  const text = writer.doc.getText('text')
  for (let i = 0; i < 200; i++) {
    text.insert(text.length, 'x')
    await until(() => reader.doc.getText('text').length === i + 1, {
      timeoutMs: 2_000,
      what: `edit ${i} to be relayed while the receiver hangs`,
    })
  }
  assert.equal(hanging.calls.length, 1, 'a document’s calls go one at a time')
})
