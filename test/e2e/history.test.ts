// The history panel and the document actions in a real browser against a real server: versions
// are named and listed, a preview shows each author's additions and deletions, restoring one
// reaches everyone, downloads carry the document, API calls carry the editor's token, and a
// deleted document stops the editor for good.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { before } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { Locator, Page } from 'playwright-core'
import { type Authenticate, refuse } from '../../server/index.js'
import {
  browserTest,
  buildEditor,
  countCachedUpdates,
  makeTestSite,
  placeCaretAtEndOf,
  publicDirectory,
  saveScreenshot,
  waitForText,
  waitSynced,
} from '../helpers/browser.js'
import { spawnServer, startServer } from '../helpers/start-server.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

const screenshotPath = fileURLToPath(new URL('../../docs/screenshot-history.png', import.meta.url))

before(buildEditor)

/** The list entry of the version titled `title`. */
function versionEntry(page: Page, title: string): Locator {
  return page.locator('.collab-editor-version', {
    has: page.locator(`.collab-editor-version-title:text-is(${JSON.stringify(title)})`),
  })
}

/** Names the document's current state `name` through the panel (open) and waits for it. */
async function nameVersion(page: Page, name: string): Promise<void> {
  await page.click('button[data-action="name-version"]')
  await page.fill('input[name="version-name"]', name)
  await page.keyboard.press('Enter')
  await versionEntry(page, name).waitFor()
}

// Page-side: the demo's editor lives in the open shadow root of its <collab-editor>.
const editorShadowRoot = "document.querySelector('collab-editor').shadowRoot"

/** The highlighted changes of the preview, as `[text, author]` pairs in document order. */
function previewChanges(page: Page, tag: 'ins' | 'del'): Promise<Array<[string, string]>> {
  return page.evaluate(
    `[...${editorShadowRoot}.querySelectorAll('.collab-editor-preview-doc:not([hidden]) ${tag}[data-change]')]
      .map((element) => [element.textContent, element.dataset.author])`,
  )
}

/** The underline colour of every addition in the preview. */
function additionColors(page: Page): Promise<string[]> {
  return page.evaluate(
    `[...${editorShadowRoot}.querySelectorAll('.collab-editor-preview-doc:not([hidden]) ins[data-change]')]
      .map((element) => getComputedStyle(element).textDecorationColor)`,
  )
}

browserTest(
  'a named version previews who added and deleted what, and restoring one reaches everyone',
  async (t, session) => {
    const { port } = await startServer(t, { staticDirectory: publicDirectory })
    const link = `http://127.0.0.1:${port}/?doc=launch-plan`
    const ann = await session.open(`${link}&user=Ann`)
    const bob = await session.open(`${link}&user=Bob`)
    await Promise.all([waitSynced(ann.page), waitSynced(bob.page)])
    await ann.page.locator('.ProseMirror').click()
    await ann.page.keyboard.type('# Launch plan')
    await ann.page.keyboard.press('Enter')
    await ann.page.keyboard.type('We ship the beta on Monday.')
    const firstDraft = 'Launch plan\nWe ship the beta on Monday.'
    // What Bob has, the server has stored (it stores an update before relaying it).
    await waitForText(bob.page, firstDraft)

    await ann.page.click('button[data-command="history"]')
    assert.equal(
      await ann.page.getAttribute('button[data-command="history"]', 'aria-expanded'),
      'true',
    )
    await nameVersion(ann.page, 'First draft')
    const first = versionEntry(ann.page, 'First draft')
    assert.equal(await first.locator('.collab-editor-version-kind').textContent(), 'named')
    assert.equal(
      await first.locator('.collab-editor-version-authors').textContent(),
      'Ann (unverified)',
    )
    assert.match((await first.locator('time').getAttribute('title')) ?? '', /\d{4}/)

    // Ann replaces a word, then Bob adds a paragraph below.
    await placeCaretAtEndOf(ann.page, 1)
    for (let count = 'Monday.'.length; count > 0; count--)
      await ann.page.keyboard.press('Backspace')
    await ann.page.keyboard.type('Thursday.')
    await waitForText(bob.page, 'Launch plan\nWe ship the beta on Thursday.')
    await placeCaretAtEndOf(bob.page, 1)
    await bob.page.keyboard.press('Enter')
    await bob.page.keyboard.type('Docs are ready for review.')
    await waitForText(
      ann.page,
      'Launch plan\nWe ship the beta on Thursday.\nDocs are ready for review.',
    )
    await nameVersion(ann.page, 'Second draft')
    assert.deepEqual(await ann.page.locator('.collab-editor-version-title').allTextContents(), [
      'Second draft',
      'First draft',
    ])

    await versionEntry(ann.page, 'Second draft').click()
    await ann.page.locator('.collab-editor-preview ins[data-change]').first().waitFor()
    // The live document gives way to the preview, but stays as it was.
    assert.equal(await ann.page.locator('.collab-editor-body').isVisible(), false)
    assert.deepEqual(await previewChanges(ann.page, 'ins'), [
      ['Thursday.', 'Ann (unverified)'],
      ['Docs are ready for review.', 'Bob (unverified)'],
    ])
    // Yjs does not record who deleted something; with two authors, it cannot be told.
    assert.deepEqual(await previewChanges(ann.page, 'del'), [['Monday.', 'Someone']])
    assert.equal(
      await ann.page.locator('.collab-editor-preview p[data-change="added"]').textContent(),
      'Docs are ready for review.',
    )
    assert.deepEqual(
      await ann.page.locator('.collab-editor-legend li[data-author]').allTextContents(),
      ['Ann (unverified)', 'Bob (unverified)'],
    )
    assert.equal(
      await ann.page.locator('.collab-editor-legend-deletions').textContent(),
      'deleted by Someone',
    )
    const colors = await additionColors(ann.page)
    assert.equal(new Set(colors).size, 2, 'each author has a colour')
    const shot = await saveScreenshot(ann.page, 'history-preview')
    if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(screenshotPath))
      await ann.page.locator('.collab-editor').screenshot({ path: screenshotPath })
    assert.ok(existsSync(shot))

    // The oldest version is compared with an empty document: all of it is new, and Ann's.
    await versionEntry(ann.page, 'First draft').click()
    await ann.page.waitForSelector('.collab-editor-preview-bar strong:text-is("First draft")')
    await ann.page.locator('.collab-editor-preview-doc:not([hidden]) ins').first().waitFor()
    assert.deepEqual(await previewChanges(ann.page, 'ins'), [
      ['Launch plan', 'Ann (unverified)'],
      ['We ship the beta on Monday.', 'Ann (unverified)'],
    ])
    assert.deepEqual(await previewChanges(ann.page, 'del'), [])
    assert.deepEqual(
      await ann.page.locator('.collab-editor-legend li[data-author]').allTextContents(),
      ['Ann (unverified)'],
    )

    await ann.page.click('button[data-action="restore"]')
    await ann.page.locator('.collab-editor-confirm').waitFor()
    await saveScreenshot(ann.page, 'history-restore-confirm')
    await ann.page.click('button[data-action="confirm-restore"]')
    await ann.page.locator('.collab-editor-preview').waitFor({ state: 'hidden' })
    await Promise.all([waitForText(bob.page, firstDraft), waitForText(ann.page, firstDraft)])
    await ann.page.locator('.collab-editor-version[data-kind="restore"]').waitFor()
    assert.equal(
      await ann.page.locator('.collab-editor-history-message').textContent(),
      'Restored “First draft”',
    )
    await saveScreenshot(ann.page, 'history-restored')
  },
)

browserTest(
  'API calls carry the editor’s token, and automatic versions list their verified author',
  async (t, session) => {
    const authorizations: string[] = []
    const authenticate: Authenticate = ({ url, headers }) => {
      const authorization = headers.get('authorization')
      if (authorization) authorizations.push(authorization)
      const token = url.searchParams.get('token') ?? /^Bearer (.+)$/.exec(authorization ?? '')?.[1]
      if (token !== 'ann-token')
        return Promise.resolve(refuse(401, 'COLLAB_UNAUTHENTICATED', 'unknown token'))
      return Promise.resolve({ userId: 'ann', name: 'Ann Lee', access: () => 'write' as const })
    }
    const site = await makeTestSite(t)
    await site.addPage(
      'report',
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>report</title>
<link rel="icon" href="data:,"></head><body style="margin:16px;background:#f3f4f6">
<collab-editor document="report" token="ann-token" user-name="Ann"></collab-editor>
<script type="module" src="/editor.js"></script></body></html>`,
    )
    const { port } = await startServer(t, {
      staticDirectory: site.directory,
      authenticate,
      limits: { versionIntervalMs: 200 },
    })
    const { page } = await session.open(`http://127.0.0.1:${port}/report.html`)
    await waitSynced(page)
    await page.locator('.ProseMirror').click()
    await page.keyboard.type('# Report')
    await page.keyboard.press('Enter')
    await page.keyboard.type('Numbers are **up**.')

    await page.click('button[data-command="history"]')
    const auto = page.locator('.collab-editor-version[data-kind="auto"]').first()
    await until(
      async () => {
        await page.click('button[data-action="refresh-history"]')
        return auto.isVisible()
      },
      { what: 'an automatic version in the list', intervalMs: 200 },
    )
    assert.equal(
      await auto.locator('.collab-editor-version-title').textContent(),
      'Automatic version',
    )
    assert.equal(await auto.locator('.collab-editor-version-authors').textContent(), 'Ann Lee')
    assert.ok(authorizations.includes('Bearer ann-token'), 'the API calls carry the token')
  },
)

browserTest(
  'the document downloads as Markdown and as HTML, named after the document',
  async (t, session) => {
    // The server command: it renders the editor's formats (the test server only speaks yjs).
    const dataDirectory = await makeTempDir(t)
    const { port } = await spawnServer(t, dataDirectory)
    const link = `http://127.0.0.1:${port}/?doc=${encodeURIComponent('quarterly/report')}&user=Ann`
    const { page } = await session.open(link)
    await waitSynced(page)
    await page.locator('.ProseMirror').click()
    await page.keyboard.type('# Report')
    await page.keyboard.press('Enter')
    await page.keyboard.type('Numbers are **up**.')
    await until(
      async () => {
        const response = await fetch(
          `http://127.0.0.1:${port}/api/documents/${encodeURIComponent('quarterly/report')}/content?format=text`,
        )
        return response.ok && (await response.text()).includes('Numbers are up.')
      },
      { what: 'the server to hold the typed text' },
    )

    const download = async (format: string): Promise<{ name: string; text: string }> => {
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.click(`button[data-command="export-${format}"]`),
      ])
      return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') }
    }
    const markdown = await download('markdown')
    assert.equal(markdown.name, 'quarterly-report.md')
    assert.match(markdown.text, /^# Report\n\nNumbers are \*\*up\*\*\.\n?$/)
    const html = await download('html')
    assert.equal(html.name, 'quarterly-report.html')
    assert.match(html.text, /<h1>Report<\/h1>/)
    assert.match(html.text, /<strong>up<\/strong>/)
  },
)

browserTest(
  'a deleted document says so, forgets its cached copy and is not reconnected to',
  async (t, session) => {
    const { port } = await startServer(t, { staticDirectory: publicDirectory })
    const link = `http://127.0.0.1:${port}/?doc=${encodeURIComponent('to be deleted')}&user=Ann`
    const ann = await session.open(link)
    await waitSynced(ann.page)
    await ann.page.locator('.ProseMirror').click()
    await ann.page.keyboard.type('soon gone')
    await until(async () => (await countCachedUpdates(ann.context)) > 0, {
      what: 'the edit in the offline cache',
    })
    let connections = 0
    ann.page.on('websocket', () => connections++)

    const response = await fetch(
      `http://127.0.0.1:${port}/api/documents/${encodeURIComponent('to be deleted')}`,
      { method: 'DELETE' },
    )
    assert.equal(response.status, 204)
    await ann.page.waitForSelector('.collab-editor[data-problem="document-deleted"]')
    assert.equal(
      await ann.page.locator('.collab-editor-problem').textContent(),
      'This document was deleted; reload to start a new one under this name',
    )
    assert.equal(
      await ann.page.locator('.collab-editor-status').textContent(),
      'Not saved: the document was deleted',
    )
    assert.equal(await ann.page.locator('.collab-editor-toolbar').count(), 0)
    await saveScreenshot(ann.page, 'history-deleted')
    // A reconnecting editor would have tried three times by now (200, 400, 800 ms).
    await delay(1_500)
    assert.equal(connections, 0)
    await until(async () => (await countCachedUpdates(ann.context)) === 0, {
      what: 'the offline cache to be cleared',
    })

    // A reload starts a new, empty document: nothing of the deleted one comes back.
    await ann.page.reload()
    await waitSynced(ann.page)
    await waitForText(ann.page, '')
  },
)
