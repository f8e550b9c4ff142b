// The embed example (examples/embed.html) served from another origin than the collab server:
// the element and the JavaScript API both load from the server, sync and edit one document.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { before, type TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { browserTest, buildEditor, publicDirectory, waitForText } from '../helpers/browser.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { startServer } from '../helpers/start-server.js'
import { until } from '../helpers/until.js'

const examplePath = fileURLToPath(new URL('../../examples/embed.html', import.meta.url))

before(buildEditor)

/** Serves the example at /embed.html, pointed at `collabHost` instead of localhost:1234. */
async function serveExample(t: TestContext, collabHost: string): Promise<string> {
  const page = (await readFile(examplePath, 'utf8')).replaceAll('localhost:1234', collabHost)
  const server = createServer((request, response) => {
    if (request.url !== '/embed.html') return void response.writeHead(404).end()
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/embed.html`
}

browserTest('the embed example works from another origin', async (t, session) => {
  const collab = await startServer(t, { staticDirectory: publicDirectory })
  const exampleUrl = await serveExample(t, `127.0.0.1:${collab.port}`)
  assert.notEqual(new URL(exampleUrl).origin, `http://127.0.0.1:${collab.port}`)

  const { page } = await session.open(exampleUrl)
  await page.waitForSelector('#element-editor[status="connected"][synced]')
  await page.waitForSelector('#api-editor .collab-editor[data-synced]')
  assert.equal(await page.locator('#element-status').textContent(), 'connected')
  // The element added editor.css from the collab server.
  const radius: unknown = await page.evaluate(
    "getComputedStyle(document.querySelector('#element-editor .collab-editor')).borderRadius",
  )
  assert.equal(radius, '8px')
  await page
    .locator('#element-editor .collab-editor-presence li', { hasText: 'API user' })
    .waitFor()

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
