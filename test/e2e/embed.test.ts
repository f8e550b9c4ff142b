// The embed example (examples/embed.html) served from another origin than the collab server:
// the element and the JavaScript API both load from the server, sync and edit one document.
import assert from 'node:assert/strict'
import { before } from 'node:test'
import * as Y from 'yjs'
import { browserTest, buildEditor, publicDirectory, waitForText } from '../helpers/browser.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { serveEmbedExample } from '../helpers/embed-example.js'
import { startServer } from '../helpers/start-server.js'
import { until } from '../helpers/until.js'

before(buildEditor)

browserTest('the embed example works from another origin', async (t, session) => {
  const collab = await startServer(t, { staticDirectory: publicDirectory })
  const exampleUrl = await serveEmbedExample(t, `127.0.0.1:${collab.port}`)
  assert.notEqual(new URL(exampleUrl).origin, `http://127.0.0.1:${collab.port}`)

  const { page } = await session.open(exampleUrl)
  await page.waitForSelector('#element-editor[status="connected"][synced]')
  await page.waitForSelector('#api-editor .collab-editor[data-synced]')
  assert.equal(await page.locator('#element-status').textContent(), 'connected')
  // Both editors are styled by the stylesheet editor.js carries, in their open shadow roots.
  const radii: unknown = await page.evaluate(`[
    document.querySelector('#element-editor').shadowRoot,
    document.querySelector('#api-editor .collab-editor-host').shadowRoot,
  ].map((root) => getComputedStyle(root.querySelector('.collab-editor')).borderRadius)`)
  assert.deepEqual(radii, ['8px', '8px'])
  await page.locator('#element-editor .collab-presence-user', { hasText: 'API user' }).waitFor()

  await page.locator('#element-editor .ProseMirror').click()
  await page.keyboard.type('typed in the element')
  await waitForText(page, 'typed in the element', { scope: '#api-editor' })
  await page.keyboard.press('Control+a')
  await page.locator('#element-editor button[data-command="strong"]').click()
  await page
    .locator('#api-editor .ProseMirror strong', { hasText: 'typed in the element' })
    .waitFor()

  const doc = new Y.Doc()
  const provider = connectProvider(t, collab.url, 'embed-example', doc)
  await waitSynced(provider)
  const fragment = doc.getXmlFragment('prosemirror')
  await until(
    () => fragment.toString() === '<paragraph><strong>typed in the element</strong></paragraph>',
    {
      what: 'the server to hold the typed bold paragraph',
    },
  )

  // Changing an attribute re-creates the editor, here on another document.
  await page.evaluate("document.querySelector('#element-editor').setAttribute('document', 'other')")
  await page.waitForSelector('#element-editor[status="connected"][synced]')
  await waitForText(page, '', { scope: '#element-editor' })
})
