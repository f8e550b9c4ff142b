// The editor in a real browser against a real server: concurrent typing merges, remote cursors
// carry names and go when their owner leaves, content survives reloads and server restarts.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { before } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import {
  browserTest,
  buildEditor,
  editorText,
  placeCaretAtEndOf,
  publicDirectory,
  waitForText,
  waitSynced,
} from '../helpers/browser.js'
import { spawnServer, startServer } from '../helpers/start-server.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

const screenshotPath = fileURLToPath(
  new URL('../../docs/screenshot-two-editors.png', import.meta.url),
)

before(buildEditor)

browserTest(
  'two people typing at once in different places end with one merged document',
  async (t, session) => {
    const { port } = await startServer(t, { staticDirectory: publicDirectory })
    // A name with characters that must be escaped in the WebSocket URL path.
    const link = `http://127.0.0.1:${port}/?doc=${encodeURIComponent('merge 100%? #1')}`
    const ann = await session.open(`${link}&user=Ann`)
    await waitSynced(ann.page)
    await ann.page.locator('.ProseMirror').click()
    await ann.page.keyboard.type('first line')
    await ann.page.keyboard.press('Enter')
    await ann.page.keyboard.type('second line')
    const bob = await session.open(`${link}&user=Bob`)
    await waitForText(bob.page, 'first line\nsecond line')

    await Promise.all([placeCaretAtEndOf(ann.page, 0), placeCaretAtEndOf(bob.page, 1)])
    await Promise.all([
      ann.page.keyboard.type(' typed by Ann', { delay: 15 }),
      bob.page.keyboard.type(' typed by Bob', { delay: 15 }),
    ])

    const merged = 'first line typed by Ann\nsecond line typed by Bob'
    await Promise.all([waitForText(ann.page, merged), waitForText(bob.page, merged)])
    const carol = await session.open(`${link}&user=Carol`)
    await waitSynced(carol.page)
    await waitForText(carol.page, merged)

    // Undo takes back only Ann's own typing, never Bob's; redo brings it back. (Yjs groups
    // edits less than 500 ms apart into one undo step, so the step may include her first lines.)
    await ann.page.keyboard.press('Control+z')
    await until(
      async () => {
        const text = await editorText(bob.page)
        return !text.includes('typed by Ann') && text.includes(' typed by Bob')
      },
      { what: "Ann's undo to reach Bob, leaving Bob's text" },
    )
    await ann.page.keyboard.press('Control+Shift+z')
    await waitForText(carol.page, merged)
  },
)

browserTest(
  'a remote cursor shows its owner’s name and goes when they leave',
  async (t, session) => {
    const { port } = await startServer(t, { staticDirectory: publicDirectory })
    const link = `http://127.0.0.1:${port}/?doc=cursors`
    const ann = await session.open(`${link}&user=Ann`)
    const bob = await session.open(`${link}&user=Bob`)
    await Promise.all([waitSynced(ann.page), waitSynced(bob.page)])
    await ann.page.locator('.ProseMirror').click()
    await ann.page.keyboard.type('# Meeting notes')
    await ann.page.keyboard.press('Enter')
    await ann.page.keyboard.type('Collaborative editing, **live**.')
    await ann.page.keyboard.press('Enter')
    await ann.page.keyboard.type('- Remote cursors with names')
    await ann.page.keyboard.press('Enter')
    await ann.page.keyboard.type('Offline edits merge on reconnect')
    await waitForText(
      bob.page,
      'Meeting notes\nCollaborative editing, live.\nRemote cursors with namesOffline edits merge on reconnect',
    )
    await bob.page.locator('.ProseMirror > p').click()
    await bob.page.keyboard.press('End')
    await bob.page.keyboard.press('Shift+Home')

    const annOnBob = bob.page.locator('.ProseMirror-yjs-cursor', { hasText: 'Ann' })
    const bobOnAnn = ann.page.locator('.ProseMirror-yjs-cursor', { hasText: 'Bob' })
    await Promise.all([annOnBob.waitFor(), bobOnAnn.waitFor()])
    await ann.page.locator('.ProseMirror-yjs-selection').first().waitFor()
    await bob.page.locator('.collab-presence-user', { hasText: 'Ann' }).waitFor()
    assert.deepEqual(await bob.page.locator('.collab-presence-user').allTextContents(), [
      'Bob (you)',
      'Ann',
    ])
    assert.equal(await bob.page.locator('.ProseMirror h1').textContent(), 'Meeting notes')
    assert.equal(await bob.page.locator('.ProseMirror p strong').textContent(), 'live')
    assert.equal(await bob.page.locator('.ProseMirror ul > li').count(), 2)

    if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(screenshotPath)) {
      await writeFile(screenshotPath, await sideBySide(session.browser, ann.page, bob.page))
    }

    await ann.context.close()
    await annOnBob.waitFor({ state: 'detached' })
    assert.deepEqual(await bob.page.locator('.collab-presence-user').allTextContents(), [
      'Bob (you)',
    ])
  },
)

browserTest('content survives a reload and server restarts between edits', async (t, session) => {
  const dataDirectory = await makeTempDir(t)
  const first = await spawnServer(t, dataDirectory)
  const link = `http://127.0.0.1:${first.port}/?doc=restart&user=Ann`
  const ann = await session.open(link)
  await waitSynced(ann.page)
  await ann.page.locator('.ProseMirror').click()
  await ann.page.keyboard.type('before the restart')
  await ann.page.reload()
  await waitSynced(ann.page)
  await waitForText(ann.page, 'before the restart')
  const fresh = await session.open(link)
  await waitForText(fresh.page, 'before the restart')
  await fresh.context.close()

  first.child.kill('SIGTERM')
  assert.equal(await first.exited, 0)
  await ann.page.waitForSelector('.collab-editor[data-status="offline"]')
  const second = await spawnServer(t, dataDirectory, ['--port', String(first.port)])
  await ann.page.waitForSelector('.collab-editor[data-status="connected"][data-synced]')
  await placeCaretAtEndOf(ann.page, 0)
  await ann.page.keyboard.press('Enter')
  await ann.page.keyboard.type('after the restart')

  const expected = 'before the restart\nafter the restart'
  const checker = await session.open(link)
  await waitForText(checker.page, expected)
  await checker.context.close()
  second.child.kill('SIGTERM')
  assert.equal(await second.exited, 0)
  await spawnServer(t, dataDirectory, ['--port', String(first.port)])
  const last = await session.open(link)
  await waitSynced(last.page)
  await waitForText(last.page, expected)
})

// Two screenshots side by side: each person's editor lives in its own browser context.
async function sideBySide(browser: Browser, ...pages: Page[]): Promise<Buffer> {
  const images = await Promise.all(
    pages.map(async (page) =>
      (await page.locator('.collab-editor').screenshot()).toString('base64'),
    ),
  )
  const canvas = await browser.newPage({ viewport: { width: 1400, height: 600 } })
  await canvas.setContent(
    `<div style="display:inline-flex;gap:16px;padding:16px;background:#e5e7eb">${images
      .map((image) => `<img style="width:676px" src="data:image/png;base64,${image}">`)
      .join('')}</div>`,
  )
  const shot = await canvas.locator('div').screenshot()
  await canvas.close()
  return shot
}
