// The README's pictures of the editor: four people in one document (carets with names, avatars,
// Saved), in light and in dark. Written to docs/ when missing or with UPDATE_SCREENSHOTS=1.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { before } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import {
  browserTest,
  buildEditor,
  placeCaretAtEndOf,
  publicDirectory,
  waitForText,
  waitSynced,
} from '../helpers/browser.js'
import { startServer } from '../helpers/start-server.js'

const pictures = {
  light: fileURLToPath(new URL('../../docs/screenshot-editor-light.png', import.meta.url)),
  dark: fileURLToPath(new URL('../../docs/screenshot-editor-dark.png', import.meta.url)),
}

before(buildEditor)

/** Ann's document: a heading, a paragraph with marks, a task list and a quote. */
async function writeDocument(page: Page): Promise<void> {
  await page.locator('.ProseMirror').click()
  await page.keyboard.type('# Launch plan\nWe ship the new editor on **Friday**, after the ')
  await page.keyboard.type('*review*.\n## Before we ship\n[ ] Write the release notes\n')
  await page.keyboard.type('Record the demo video\n')
  await page.keyboard.press('Enter')
  await page.keyboard.type('> Saved means stored: nothing typed is lost.')
}

const text = [
  'Launch plan',
  'We ship the new editor on Friday, after the review.',
  'Before we ship',
  'Write the release notesRecord the demo video',
  'Saved means stored: nothing typed is lost.',
].join('\n')

browserTest(
  'four people in one document, pictured in light and dark for the README',
  async (t, session) => {
    const { port } = await startServer(t, { staticDirectory: publicDirectory })
    const link = `http://127.0.0.1:${port}/?doc=${encodeURIComponent('launch-plan')}`
    const names = ['Ann', 'Bob', 'Carol', 'Dev']
    const people = await Promise.all(names.map((name) => session.open(`${link}&user=${name}`)))
    await Promise.all(people.map(({ page }) => waitSynced(page)))
    const [ann, ...others] = people
    if (!ann) throw new Error('no pages')
    await ann.page.setViewportSize({ width: 960, height: 560 })
    await writeDocument(ann.page)
    await Promise.all(others.map(({ page }) => waitForText(page, text)))

    // Each of the others acts in a block of their own, so their caret shows its name.
    const blocks = [1, 3, 0]
    for (const [index, { page }] of others.entries()) {
      await placeCaretAtEndOf(page, blocks[index] ?? 0)
      await page.keyboard.type(' ')
      await page.keyboard.press('Backspace')
    }
    await placeCaretAtEndOf(ann.page, 4)
    await ann.page.locator('.collab-editor[data-save-state="saved"]').waitFor({ state: 'attached' })
    assert.equal(await ann.page.locator('.collab-presence-user').count(), 4)

    for (const scheme of ['light', 'dark'] as const) {
      await ann.page.emulateMedia({ colorScheme: scheme })
      // Carets show names for a while after their owner acts: act again just before the shot.
      for (const { page } of others) {
        await page.keyboard.type(' ')
        await page.keyboard.press('Backspace')
      }
      await ann.page
        .locator('.ProseMirror-yjs-cursor[data-active]')
        .nth(others.length - 1)
        .waitFor()
      const path = pictures[scheme]
      if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(path)) {
        await ann.page.locator('collab-editor').screenshot({ path })
      }
    }
  },
)
