// axe-core on the demo page and the embed example, in light and dark, with the editor's menus,
// dialogs and panels open: no serious or critical violation (WCAG 2.1 A and AA rules).
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { before } from 'node:test'
import type { Page } from 'playwright-core'
import { browserTest, buildEditor, publicDirectory, waitSynced } from '../helpers/browser.js'
import { serveEmbedExample } from '../helpers/embed-example.js'
import { startServer } from '../helpers/start-server.js'

const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source

before(buildEditor)

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: Array<{ target: unknown[]; failureSummary?: string }>
}

/**
 * Runs axe-core on the page (open shadow roots included) and fails on serious or critical. With
 * reduced motion, which the editor honours, no popover is caught halfway through fading in.
 */
async function assertAccessible(page: Page, what: string): Promise<void> {
  await page.emulateMedia({ reducedMotion: 'reduce' })
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) {
    await page.addScriptTag({ content: axeSource })
  }
  const violations = await page.evaluate<AxeViolation[]>(`axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    .then((results) => results.violations)`)
  const blocking = violations.filter(({ impact }) => impact === 'serious' || impact === 'critical')
  const described = blocking.map(
    ({ id, impact, help, nodes }) =>
      `${impact} ${id}: ${help}\n` +
      nodes
        .map((node) => `  ${JSON.stringify(node.target)} ${node.failureSummary ?? ''}`)
        .join('\n'),
  )
  assert.deepEqual(described, [], `axe on ${what}:\n${described.join('\n')}`)
}

/** Fills the document with every kind of block, so that each is checked. */
async function writeContent(page: Page): Promise<void> {
  await page.locator('.ProseMirror').click()
  await page.keyboard.type('# Launch plan\nA paragraph with a ')
  await page.keyboard.type('**bold** word.\n## Tasks\n[ ] write the notes\n')
  await page.keyboard.press('Enter')
  await page.keyboard.type('> a quote\n')
}

browserTest(
  'the demo page has no serious accessibility violations, light or dark, menus open or not',
  async (t, session) => {
    const { port } = await startServer(t, { staticDirectory: publicDirectory })
    const link = `http://127.0.0.1:${port}/?doc=accessible`
    const ann = await session.open(`${link}&user=Ann`)
    const bob = await session.open(`${link}&user=Bob`)
    await Promise.all([waitSynced(ann.page), waitSynced(bob.page)])
    await writeContent(ann.page)
    await bob.page.locator('.ProseMirror-yjs-cursor').first().waitFor()
    await assertAccessible(bob.page, 'the demo page')

    await bob.page.emulateMedia({ colorScheme: 'dark' })
    await assertAccessible(bob.page, 'the demo page, dark')

    await bob.page.locator('button[data-command="help"]').click()
    await bob.page.getByRole('dialog').waitFor()
    await assertAccessible(bob.page, 'the keyboard shortcuts dialog, dark')
    await bob.page.keyboard.press('Escape')

    await bob.page.emulateMedia({ colorScheme: 'light' })
    await bob.page.locator('button[data-command="history"]').click()
    await bob.page.locator('.collab-editor-history').waitFor()
    await assertAccessible(bob.page, 'the history panel')

    await bob.page.locator('.ProseMirror > *').last().click()
    await bob.page.keyboard.press('End')
    await bob.page.keyboard.press('Enter')
    await bob.page.keyboard.type('/')
    await bob.page.getByRole('listbox').waitFor()
    await assertAccessible(bob.page, 'the slash menu')
  },
)

browserTest('the embed example has no serious accessibility violations', async (t, session) => {
  const collab = await startServer(t, { staticDirectory: publicDirectory })
  const exampleUrl = await serveEmbedExample(t, `127.0.0.1:${collab.port}`)
  const { page } = await session.open(exampleUrl)
  await page.waitForSelector('#element-editor[status="connected"][synced]')
  await page.waitForSelector('#api-editor .collab-editor[data-synced]')
  await assertAccessible(page, 'the embed example')
  await page.emulateMedia({ colorScheme: 'dark' })
  await assertAccessible(page, 'the embed example, dark')
})
