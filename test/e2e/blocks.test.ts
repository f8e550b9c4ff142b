// The blocks beyond CommonMark in a real browser, between two people: task lists (by keyboard and
// mouse), tables, horizontal rules, pasted image URLs, strikethrough and underline.
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Locator, Page } from 'playwright-core'
import {
  type BrowserSession,
  browserTest,
  saveScreenshot,
  waitForText,
  waitSynced,
} from '../helpers/browser.js'
import { startServer } from '../helpers/start-server.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url))

// The editor element plus its commands, in one bundle: a command works only on the schema of its
// own copy of the editor. (The toolbar that will call them is not part of this test.)
const testPage = `<!doctype html>
<html><body><script type="module">
  import { commands } from './blocks-editor.js'
  window.blockCommands = commands
  const params = new URLSearchParams(location.search)
  const editor = document.createElement('collab-editor')
  editor.setAttribute('document', params.get('doc'))
  editor.setAttribute('user-name', params.get('user'))
  editor.setAttribute('no-offline-cache', '')
  if (params.has('read-only')) editor.setAttribute('read-only', '')
  document.body.append(editor)
</script></body></html>`

const pictureSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="160">
  <rect width="480" height="160" rx="12" fill="#dbeafe"/>
  <circle cx="80" cy="80" r="44" fill="#3b82f6"/>
  <text x="150" y="92" font-family="sans-serif" font-size="28" fill="#1e3a8a">A pasted image</text>
</svg>`

interface BlocksSite {
  /** Opens the test page for `user` in document `doc`, synced. */
  open(user: string, extra?: string): Promise<Page>
  readonly pictureUrl: string
}

async function startBlocksSite(
  t: TestContext,
  session: BrowserSession,
  doc: string,
): Promise<BlocksSite> {
  const directory = await makeTempDir(t, 'collab-blocks-')
  await build({
    stdin: {
      contents: `export * from './editor/embed.ts'\nexport * as commands from './editor/commands.ts'`,
      resolveDir: repositoryRoot,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    loader: { '.css': 'text' },
    outfile: join(directory, 'blocks-editor.js'),
    logLevel: 'error',
  })
  await writeFile(join(directory, 'blocks.html'), testPage)
  await writeFile(join(directory, 'picture.svg'), pictureSvg)
  const { port } = await startServer(t, { staticDirectory: directory })
  const origin = `http://127.0.0.1:${port}`
  return {
    pictureUrl: `${origin}/picture.svg`,
    async open(user, extra = '') {
      const { page } = await session.open(`${origin}/blocks.html?doc=${doc}&user=${user}${extra}`)
      await waitSynced(page)
      return page
    },
  }
}

/** Runs `command` (an expression over the editor's commands, `c`) on the page's editor. */
function runCommand(page: Page, command: string): Promise<boolean> {
  return page.evaluate(`(() => {
    const view = document.querySelector('collab-editor').editor.view
    const c = window.blockCommands
    const done = (${command})(view.state, view.dispatch)
    view.focus()
    return done
  })()`)
}

// The DOM readTexts uses: the root tsconfig has no DOM library.
interface PageElement {
  readonly textContent: string | null
  cloneNode(deep: true): PageElement
  querySelectorAll(selector: string): Iterable<PageElement>
  remove(): void
}

// Runs in the page: the elements' texts without remote cursors' name labels.
const readTexts = (elements: PageElement[]): string[] =>
  elements.map((element) => {
    const copy = element.cloneNode(true)
    for (const cursor of copy.querySelectorAll('.ProseMirror-yjs-cursor')) cursor.remove()
    return copy.textContent ?? ''
  })

/** Waits until the texts of what `locator` finds are `expected`. */
async function waitForTexts(locator: Locator, expected: string[], what: string): Promise<void> {
  let texts: string[] = []
  const isExpected = async (): Promise<boolean> => {
    texts = await locator.evaluateAll(readTexts)
    return texts.join('|') === expected.join('|')
  }
  await until(isExpected, { what }).catch((error: unknown) => {
    throw new Error(`${what}: ${JSON.stringify(texts)}, expected ${JSON.stringify(expected)}`, {
      cause: error,
    })
  })
}

/** The checked state of each task item on the page, in document order. */
async function checkedStates(page: Page): Promise<string[]> {
  const items = page.locator('.ProseMirror li[data-type="taskItem"]')
  return Promise.all(
    (await items.all()).map(async (item) => (await item.getAttribute('data-checked')) ?? ''),
  )
}

/** The text of the block holding the editor's caret. */
function caretBlockText(page: Page): Promise<string> {
  return page.evaluate(
    `document.querySelector('collab-editor').editor.view.state.selection.$head.parent.textContent`,
  )
}

/**
 * Clicks the task item's text and puts the caret at its end. The click is retried until the
 * editor's caret is in that item: once in CI a click on "Call Bob" left the caret in the item
 * above (cause not pinned down), and the steps after it then edited the wrong item.
 */
async function placeCaretIn(page: Page, text: string): Promise<void> {
  await until(
    async () => {
      await page.locator('.ProseMirror li[data-type="taskItem"] p', { hasText: text }).click()
      return (await caretBlockText(page)) === text
    },
    { what: `the caret in "${text}"` },
  )
  await page.keyboard.press('End')
}

async function waitForChecked(page: Page, expected: string[], what: string): Promise<void> {
  await until(async () => (await checkedStates(page)).join() === expected.join(), {
    what: `${what}: task items ${expected.join()}`,
  })
}

browserTest(
  'task lists by keyboard and mouse: [ ] makes one, Enter a new item, Space and clicks check',
  async (t, session) => {
    const site = await startBlocksSite(t, session, 'tasks')
    const ann = await site.open('Ann')
    const bob = await site.open('Bob')
    await ann.locator('.ProseMirror').click()
    await ann.keyboard.type('[ ] Buy milk')
    await ann.keyboard.press('Enter')
    await ann.keyboard.type('Call Bob')
    await waitForTexts(bob.locator('.ProseMirror p'), ['Buy milk', 'Call Bob'], 'items at Bob')
    await waitForChecked(bob, ['false', 'false'], 'two unchecked items at Bob')
    assert.equal(await bob.locator('.ProseMirror ul[data-type="taskList"]').count(), 1)

    // Space on the focused checkbox, a click on the other one; both reach Bob.
    const annBoxes = ann.getByRole('checkbox', { name: 'Mark as done' })
    await annBoxes.nth(0).focus()
    await ann.keyboard.press('Space')
    await waitForChecked(bob, ['true', 'false'], 'Space checked the first')
    await annBoxes.nth(1).click()
    await waitForChecked(bob, ['true', 'true'], 'a click checked the second')
    await bob.getByRole('checkbox', { name: 'Mark as done' }).nth(0).click()
    await waitForChecked(ann, ['false', 'true'], "Bob's click unchecked the first")

    // Mod-Enter checks the item at the caret; Enter after a checked item makes an unchecked one.
    await placeCaretIn(ann, 'Buy milk')
    await ann.keyboard.press('Control+Enter')
    await waitForChecked(bob, ['true', 'true'], 'Mod-Enter checked the first')
    await ann.keyboard.press('Enter')
    await ann.keyboard.type('Water plants')
    await waitForTexts(
      bob.locator('.ProseMirror p'),
      ['Buy milk', 'Water plants', 'Call Bob'],
      'the new item at Bob',
    )
    await waitForChecked(bob, ['true', 'false', 'true'], 'a new item is unchecked')

    // Tab nests the item under the one above; Shift-Tab takes it back out.
    await ann.keyboard.press('Tab')
    await bob.locator('li[data-type="taskItem"] li[data-type="taskItem"]').waitFor()
    await ann.keyboard.press('Shift+Tab')
    await until(async () => (await bob.locator('li li[data-type="taskItem"]').count()) === 0, {
      what: 'the item outdented at Bob',
    })

    // Enter in an empty item ends the list; "- [x] " starts a checked one.
    await placeCaretIn(ann, 'Call Bob')
    await ann.keyboard.press('Enter')
    await ann.keyboard.press('Enter')
    await ann.keyboard.type('- [x] Done already')
    await waitForChecked(bob, ['true', 'false', 'true', 'true'], 'a checked item from - [x]')
    assert.equal(await bob.locator('.ProseMirror ul[data-type="taskList"]').count(), 2)

    // A reader sees the state and cannot change it.
    const carol = await site.open('Carol', '&read-only')
    await waitForChecked(carol, ['true', 'false', 'true', 'true'], 'the reader')
    const carolBox = carol.getByRole('checkbox', { name: 'Mark as done' }).nth(1)
    assert.equal(await carolBox.isDisabled(), true)
  },
)

browserTest(
  'a table: inserted by its command, Tab moves between cells, typing reaches the other person',
  async (t, session) => {
    const site = await startBlocksSite(t, session, 'table')
    const ann = await site.open('Ann')
    const bob = await site.open('Bob')
    await ann.locator('.ProseMirror').click()
    assert.equal(await runCommand(ann, 'c.insertTable(2, 2)'), true)
    await ann.keyboard.type('Name')
    await ann.keyboard.press('Tab')
    await ann.keyboard.type('Role')
    await ann.keyboard.press('Tab')
    await ann.keyboard.type('Ann')
    await ann.keyboard.press('Tab')
    await ann.keyboard.type('Design')
    // Tab in the last cell adds a row; Shift-Tab goes back.
    await ann.keyboard.press('Tab')
    await ann.keyboard.type('Bob')
    await ann.keyboard.press('Shift+Tab')
    await ann.keyboard.press('End')
    await ann.keyboard.type(' & research')

    await waitForTexts(
      bob.locator('.ProseMirror table :is(th, td)'),
      ['Name', 'Role', 'Ann', 'Design & research', 'Bob', ''],
      "the table's cells at Bob",
    )
    assert.equal(await bob.locator('.ProseMirror table th').count(), 2)

    // Bob types in a cell; the table commands work on his side too.
    await bob.locator('.ProseMirror td').last().click()
    await bob.keyboard.type('Engineering')
    assert.equal(await runCommand(bob, 'c.addColumnAfter'), true)
    await until(
      async () => (await ann.locator('.ProseMirror table tr').first().locator('th').count()) === 3,
      {
        what: 'the added column at Ann',
      },
    )
    await ann.locator('.ProseMirror td', { hasText: 'Engineering' }).waitFor()
    assert.equal(await runCommand(bob, 'c.deleteTable'), true)
    await until(async () => (await ann.locator('.ProseMirror table').count()) === 0, {
      what: 'the table gone at Ann',
    })
  },
)

browserTest(
  '--- makes a rule, a pasted image URL an image, shortcuts strike and underline',
  async (t, session) => {
    const site = await startBlocksSite(t, session, 'inline')
    const ann = await site.open('Ann')
    const bob = await site.open('Bob')
    const editor = ann.locator('.ProseMirror')
    await editor.click()
    await ann.keyboard.type('Above')
    await ann.keyboard.press('Enter')
    await ann.keyboard.type('---Below')
    await waitForText(bob, 'Above\n\nBelow')
    assert.equal(await bob.locator('.ProseMirror > hr').count(), 1)

    // A pasted image address becomes the image; any other address stays text.
    const paste = (text: string): Promise<void> =>
      ann.evaluate(`(() => {
        const data = new DataTransfer()
        data.setData('text/plain', ${JSON.stringify(text)})
        const event = new ClipboardEvent('paste', { clipboardData: data, cancelable: true })
        document.querySelector('collab-editor').editor.view.dom.dispatchEvent(event)
      })()`)
    await ann.keyboard.press('Enter')
    await paste(site.pictureUrl)
    const image = bob.locator('.ProseMirror img[src]')
    await image.waitFor()
    assert.equal(await image.getAttribute('src'), site.pictureUrl)
    await ann.keyboard.press('Enter')
    await paste('https://example.com/page')
    await waitForText(bob, 'Above\n\nBelow\n\nhttps://example.com/page')

    // Strikethrough and underline by shortcut, and ~~text~~ as typed.
    await ann.keyboard.press('Enter')
    await ann.keyboard.press('Control+Shift+S')
    await ann.keyboard.type('struck')
    await ann.keyboard.press('Control+Shift+S')
    await ann.keyboard.type(' and ')
    await ann.keyboard.press('Control+u')
    await ann.keyboard.type('underlined')
    await ann.keyboard.press('Control+u')
    await ann.keyboard.type(' and ~~tilde~~')
    await bob.locator('.ProseMirror s', { hasText: 'struck' }).waitFor()
    await bob.locator('.ProseMirror u', { hasText: 'underlined' }).waitFor()
    await bob.locator('.ProseMirror s', { hasText: 'tilde' }).waitFor()
    await waitForText(
      bob,
      'Above\n\nBelow\n\nhttps://example.com/page\nstruck and underlined and tilde',
    )
    assert.equal(
      await ann.locator('.ProseMirror > p').last().innerHTML(),
      '<s>struck</s> and <u>underlined</u> and <s>tilde</s>',
    )
  },
)

browserTest('a document with every new block looks finished', async (t, session) => {
  const site = await startBlocksSite(t, session, 'showcase')
  const ann = await site.open('Ann')
  await ann.setViewportSize({ width: 900, height: 1100 })
  const editor = ann.locator('.ProseMirror')
  await editor.click()
  await ann.keyboard.type('# Launch plan')
  await ann.keyboard.press('Enter')
  await ann.keyboard.type('What is ')
  await ann.keyboard.press('Control+u')
  await ann.keyboard.type('left')
  await ann.keyboard.press('Control+u')
  await ann.keyboard.type(' before the ~~Friday~~ Monday release:')
  await ann.keyboard.press('Enter')
  await ann.keyboard.type('[x] Write the release notes')
  await ann.keyboard.press('Enter')
  await ann.keyboard.type('Update the screenshots')
  await ann.keyboard.press('Enter')
  await ann.keyboard.type('Tell the support team')
  await ann.keyboard.press('Enter')
  await ann.keyboard.press('Enter')
  await ann.keyboard.type('---')
  assert.equal(await runCommand(ann, 'c.insertTable(3, 3)'), true)
  for (const cell of ['Owner', 'Task', 'Due', 'Ann', 'Notes', 'Mon', 'Bob', 'Screenshots', 'Tue']) {
    await ann.keyboard.type(cell)
    await ann.keyboard.press('Tab')
  }
  await runCommand(ann, 'c.deleteRow')
  await runCommand(ann, `c.insertImage(${JSON.stringify(site.pictureUrl)}, 'A pasted image')`)
  await ann.evaluate(
    `document.querySelector('collab-editor').shadowRoot.querySelector('img[src]').decode()`,
  )
  const count = (selector: string): Promise<number> => editor.locator(selector).count()
  assert.deepEqual(
    await Promise.all(
      [
        'h1',
        'u',
        's',
        'li[data-type="taskItem"]',
        'li[data-checked="true"]',
        'hr',
        'tr',
        'img[src]',
      ].map(count),
    ),
    [1, 1, 1, 3, 1, 1, 3, 1],
  )
  await saveScreenshot(ann, 'blocks-showcase')

  // Dragging across cells selects them; the dark theme colours every block.
  const from = await editor.locator('td', { hasText: 'Notes' }).boundingBox()
  const to = await editor.locator('td', { hasText: 'Tue' }).boundingBox()
  assert.ok(from && to)
  await ann.mouse.move(from.x + 10, from.y + 10)
  await ann.mouse.down()
  await ann.mouse.move(to.x + 10, to.y + 10, { steps: 5 })
  await ann.mouse.up()
  assert.equal(await count('.selectedCell'), 4)
  await ann.evaluate(`document.querySelector('collab-editor').setAttribute('theme', 'dark')`)
  await saveScreenshot(ann, 'blocks-showcase-dark')
})
