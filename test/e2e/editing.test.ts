// The editing UI in a real browser: the empty document's hint, the word count, the link popover
// and bubble, the slash menu, the toolbar's roving focus and table tools, the shortcut help. The
// editor lives in an open shadow root: playwright's locators pierce it, `document` does not.
// Each run writes screenshots of the toolbar, menus and dialog to test-artifacts/editing-*.png.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { before, type TestContext } from 'node:test'
import type { Locator, Page } from 'playwright-core'
import {
  artifactsDirectory,
  type BrowserSession,
  browserTest,
  buildEditor,
  publicDirectory,
  waitSynced,
} from '../helpers/browser.js'
import { startServer } from '../helpers/start-server.js'
import { until } from '../helpers/until.js'

before(buildEditor)

/** Opens a new, empty document in the demo page, synced, with the caret in the document. */
async function openEmptyDocument(t: TestContext, session: BrowserSession): Promise<Page> {
  const { port } = await startServer(t, { staticDirectory: publicDirectory })
  const name = t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)
  const { page } = await session.open(`http://127.0.0.1:${port}/?doc=${name}&user=Ann`)
  await waitSynced(page)
  await page.locator('.ProseMirror').click()
  await waitFor(page, 'view.hasFocus()')
  return page
}

/**
 * Waits until `expression` holds in the page, with `view` the editor's EditorView and `state`
 * its state (the editor's DOM is in a shadow root, its handle on the element).
 */
async function waitFor(page: Page, expression: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    `(() => {
      const view = document.querySelector('collab-editor').editor.view
      const state = view.state
      return ${expression}
    })()`,
    undefined,
    { timeout },
  )
}

// The little of the DOM that the page-side functions below use: the root tsconfig has no DOM.
interface PageElement {
  readonly textContent: string | null
  getRootNode(): { readonly activeElement: unknown }
}
declare function getComputedStyle(element: PageElement, pseudo: string): { content: string }

const isFocused = (element: PageElement): boolean => element.getRootNode().activeElement === element

/** Waits until `locator`'s element has focus (in its shadow root). */
async function waitForFocus(locator: Locator): Promise<void> {
  await locator.page().waitForFunction(isFocused, await locator.elementHandle())
}

/** Waits until `locator`'s element has `text` as its text. */
async function waitForTextOf(locator: Locator, text: string): Promise<void> {
  await locator
    .page()
    .waitForFunction(([element, expected]) => (element as PageElement).textContent === expected, [
      await locator.elementHandle(),
      text,
    ] as const)
}

/** Saves test-artifacts/editing-<name>.png: the part of the page the locators' elements cover. */
async function screenshot(name: string, ...locators: Locator[]): Promise<void> {
  await mkdir(artifactsDirectory, { recursive: true })
  const boxes = await Promise.all(locators.map((locator) => locator.boundingBox()))
  const shown = boxes.filter((box) => box !== null)
  assert.ok(shown.length > 0, `nothing of ${name} is shown`)
  const left = Math.min(...shown.map((box) => box.x))
  const top = Math.min(...shown.map((box) => box.y))
  const right = Math.max(...shown.map((box) => box.x + box.width))
  const bottom = Math.max(...shown.map((box) => box.y + box.height))
  await locators[0]?.page().screenshot({
    path: join(artifactsDirectory, `editing-${name}.png`),
    clip: { x: left, y: top, width: right - left, height: bottom - top },
  })
}

const toolbarButton = (page: Page, command: string): Locator =>
  page.locator(`.collab-editor-toolbar button[data-command="${command}"]`)

browserTest(
  'an empty document shows a hint that goes once something is typed',
  async (t, session) => {
    const page = await openEmptyDocument(t, session)
    const hint = page.locator('.ProseMirror p.collab-editor-placeholder')
    assert.equal(
      await hint.getAttribute('data-placeholder'),
      'Start writing, or type / for commands',
    )
    const shown = await hint.evaluate(
      (element: PageElement) => getComputedStyle(element, '::before').content,
    )
    assert.equal(shown, '"Start writing, or type / for commands"')
    const count = page.locator('.collab-editor-word-count')
    assert.equal(await count.textContent(), '0 words · 0 characters')
    await screenshot('empty-document', page.locator('.collab-editor'))

    await page.keyboard.type('Hello')
    await hint.waitFor({ state: 'detached' })
    await page.keyboard.type(' wide world')
    await waitForTextOf(count, '3 words · 16 characters')
    await page.keyboard.press('Enter')
    await page.keyboard.type('Ünïcode 👋🏽 ok')
    await waitForTextOf(count, '5 words · 28 characters')
    // Emptied again, the document shows the hint again.
    await page.keyboard.press('Control+a')
    await page.keyboard.press('Backspace')
    await hint.waitFor()
  },
)

browserTest('a link is added, shown, edited and removed with the mouse', async (t, session) => {
  const page = await openEmptyDocument(t, session)
  await page.keyboard.type('Read the docs')
  for (let step = 0; step < 4; step++) await page.keyboard.press('Shift+ArrowLeft')
  await waitFor(page, 'state.selection.to - state.selection.from === 4')
  await toolbarButton(page, 'link').click()
  const form = page.locator('.collab-editor-link-popover')
  const address = form.getByRole('textbox', { name: 'Link address' })
  await waitForFocus(address)
  await address.fill('javascript:alert(1)')
  await address.press('Enter')
  assert.equal(await form.getByRole('alert').textContent(), 'javascript: links are not allowed')
  await address.fill('example.com/guide')
  await screenshot('link-form', page.locator('.collab-editor'))
  await address.press('Enter')
  const link = page.locator('.ProseMirror a')
  await link.waitFor()
  assert.equal(await link.textContent(), 'docs')
  assert.equal(await link.getAttribute('href'), 'https://example.com/guide')
  assert.equal(await form.isVisible(), false)

  const bubble = page.getByRole('group', { name: 'Link' })
  await bubble.waitFor()
  assert.equal(
    await bubble.locator('.collab-editor-link-url').textContent(),
    'https://example.com/guide',
  )
  const open = bubble.getByRole('link', { name: 'Open link in a new tab' })
  assert.equal(await open.getAttribute('href'), 'https://example.com/guide')
  assert.equal(await open.getAttribute('target'), '_blank')
  assert.match((await open.getAttribute('rel')) ?? '', /\bnoopener\b/)
  await screenshot('link-bubble', page.locator('.collab-editor'))

  await bubble.getByRole('button', { name: 'Edit link' }).click()
  await waitForFocus(address)
  assert.equal(await address.inputValue(), 'https://example.com/guide')
  await address.fill('https://example.org/')
  await address.press('Enter')
  await page.locator('.ProseMirror a[href="https://example.org/"]').waitFor()

  await bubble.getByRole('button', { name: 'Remove link' }).click()
  await link.waitFor({ state: 'detached' })
  await bubble.waitFor({ state: 'hidden' })
  assert.equal(await page.locator('.ProseMirror p').textContent(), 'Read the docs')
})

browserTest('a link is added and left with the keyboard alone', async (t, session) => {
  const page = await openEmptyDocument(t, session)
  await page.keyboard.type('See ')
  await page.keyboard.press('Control+k')
  const address = page.getByRole('textbox', { name: 'Link address' })
  await waitForFocus(address)
  // Escape goes back to the document, unchanged.
  await page.keyboard.press('Escape')
  await waitFor(page, 'view.hasFocus()')
  await address.waitFor({ state: 'hidden' })

  // With nothing selected, the address goes in as linked text.
  await page.keyboard.press('Control+k')
  await waitForFocus(address)
  await page.keyboard.type('example.com')
  await page.keyboard.press('Enter')
  await waitFor(page, 'view.hasFocus()')
  const link = page.locator('.ProseMirror a[href="https://example.com"]')
  await link.waitFor()
  assert.equal(await link.textContent(), 'https://example.com')

  // The caret is at the link's end: the bubble is next in Tab order; Escape goes back.
  const bubble = page.getByRole('group', { name: 'Link' })
  await bubble.waitFor()
  await page.keyboard.press('Tab')
  await waitForFocus(bubble.getByRole('link', { name: 'Open link in a new tab' }))
  await page.keyboard.press('Tab')
  await waitForFocus(bubble.getByRole('button', { name: 'Edit link' }))
  await page.keyboard.press('Escape')
  await waitFor(page, 'view.hasFocus()')

  // Mod-k on the link edits it; Remove in the form takes it away.
  await page.keyboard.press('ArrowLeft')
  await page.keyboard.press('Control+k')
  await waitForFocus(address)
  assert.equal(await address.inputValue(), 'https://example.com')
  await page.keyboard.press('Tab')
  await page.keyboard.press('Tab')
  await waitForFocus(
    page.locator('.collab-editor-link-popover').getByRole('button', { name: 'Remove link' }),
  )
  await page.keyboard.press('Enter')
  await link.waitFor({ state: 'detached' })
  await waitFor(page, 'view.hasFocus()')
  assert.equal(await page.getByRole('status').filter({ hasText: 'Link removed' }).count(), 1)
})

browserTest('the slash menu inserts blocks from the keyboard', async (t, session) => {
  const page = await openEmptyDocument(t, session)
  const menu = page.locator('.collab-editor-slash-menu')
  const options = menu.getByRole('option')
  await page.keyboard.type('/')
  await menu.waitFor()
  assert.equal(await options.count(), 12)
  await screenshot('slash-menu', page.locator('.collab-editor'), menu)
  await page.keyboard.type('hea')
  await until(async () => (await options.count()) === 3, { what: 'the headings only' })
  assert.deepEqual(await options.locator('.collab-editor-menu-title').allTextContents(), [
    'Heading 1',
    'Heading 2',
    'Heading 3',
  ])
  const chosen = async (): Promise<string | null> =>
    (await page.locator('.ProseMirror').getAttribute('aria-activedescendant')) ===
    (await menu.getByRole('option', { selected: true }).getAttribute('id'))
      ? await menu
          .getByRole('option', { selected: true })
          .locator('.collab-editor-menu-title')
          .textContent()
      : null
  assert.equal(await chosen(), 'Heading 1')
  await page.keyboard.press('ArrowDown')
  await until(async () => (await chosen()) === 'Heading 2', { what: 'Heading 2 chosen' })
  await screenshot('slash-menu-filtered', page.locator('.collab-editor'), menu)
  await page.keyboard.press('Enter')
  await menu.waitFor({ state: 'hidden' })
  await page.keyboard.type('Plan')
  await page.locator('.ProseMirror h2', { hasText: 'Plan' }).waitFor()
  assert.equal(await page.locator('.ProseMirror h2').textContent(), 'Plan')

  // Escape closes the menu and keeps what was typed.
  await page.keyboard.press('Enter')
  await page.keyboard.type('/tas')
  await menu.waitFor()
  await page.keyboard.press('Escape')
  await menu.waitFor({ state: 'hidden' })
  await page.locator('.ProseMirror p', { hasText: '/tas' }).waitFor()
  // Tab inserts too: a task list, then a table.
  await page.keyboard.press('Backspace')
  await page.keyboard.press('Backspace')
  await page.keyboard.press('Backspace')
  await page.keyboard.press('Backspace')
  await page.keyboard.type('/task')
  await menu.waitFor()
  await page.keyboard.press('Tab')
  await page.locator('.ProseMirror ul[data-type="taskList"]').waitFor()
  await page.keyboard.type('Write the plan')
  await page.keyboard.press('Enter')
  await page.keyboard.press('Enter')
  await page.keyboard.type('/table')
  await menu.waitFor()
  await page.keyboard.press('Enter')
  await page.locator('.ProseMirror table').waitFor()
  assert.equal(await page.locator('.ProseMirror table tr').count(), 3)
  assert.equal(await page.locator('.ProseMirror table th').count(), 3)
  assert.equal(await page.locator('.ProseMirror').getByText('/table').count(), 0)
  assert.equal(
    await page.locator('.ProseMirror li[data-type="taskItem"]').textContent(),
    'Write the plan',
  )
})

browserTest('the slash menu inserts blocks with the mouse', async (t, session) => {
  const page = await openEmptyDocument(t, session)
  await page.keyboard.type('Intro')
  await page.keyboard.press('Enter')
  await page.keyboard.type('/')
  const menu = page.locator('.collab-editor-slash-menu')
  await menu.getByRole('option', { name: 'Quote' }).click()
  await menu.waitFor({ state: 'hidden' })
  await waitFor(page, 'view.hasFocus()')
  await page.keyboard.type('Well said')
  await page.locator('.ProseMirror blockquote', { hasText: 'Well said' }).waitFor()
  // A slash in the middle of a word is just a slash.
  await page.keyboard.type(' and/or')
  assert.equal(await menu.isVisible(), false)
  await page.keyboard.press('Enter')
  await page.keyboard.press('Enter')
  await page.keyboard.type('/div')
  await menu.getByRole('option', { name: 'Divider' }).click()
  await page.locator('.ProseMirror hr').waitFor()
  assert.equal(await page.locator('.ProseMirror').getByText('/div').count(), 0)
})

browserTest(
  'the toolbar is one tab stop with arrow keys between its buttons',
  async (t, session) => {
    const page = await openEmptyDocument(t, session)
    const toolbar = page.getByRole('toolbar', { name: 'Formatting' })
    await screenshot('toolbar', toolbar)
    await page.locator('#copy-link').focus()
    await page.keyboard.press('Tab')
    // Undo and redo have nothing to do yet: the first enabled control is the tab stop.
    const blockType = toolbarButton(page, 'block-type')
    await waitForFocus(blockType)
    assert.equal(await toolbar.locator('[tabindex="0"]').count(), 1)
    await page.keyboard.press('ArrowRight')
    await waitForFocus(toolbarButton(page, 'strong'))
    await page.keyboard.press('ArrowRight')
    await waitForFocus(toolbarButton(page, 'em'))
    await page.keyboard.press('ArrowLeft')
    await waitForFocus(toolbarButton(page, 'strong'))
    // End reaches the document group at the far end; Home comes back.
    await page.keyboard.press('End')
    await waitForFocus(toolbarButton(page, 'export-html'))
    await page.keyboard.press('ArrowRight')
    await waitForFocus(blockType)
    await page.keyboard.press('ArrowLeft')
    await waitForFocus(toolbarButton(page, 'export-html'))
    await page.keyboard.press('Home')
    await waitForFocus(blockType)
    // Tab leaves the toolbar for the document; Shift+Tab comes back to the button last used.
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Tab')
    await waitFor(page, 'view.hasFocus()')
    await page.keyboard.press('Shift+Tab')
    await waitForFocus(toolbarButton(page, 'strong'))
    assert.equal(await toolbar.locator('[tabindex="0"]').count(), 1)

    // Enter on Bold bolds what is typed next; focus stays on the button, which shows as pressed.
    await page.keyboard.press('Enter')
    assert.equal(await toolbarButton(page, 'strong').getAttribute('aria-pressed'), 'true')
    await page.keyboard.press('Escape')
    await waitFor(page, 'view.hasFocus()')
    await page.keyboard.type('Bold')
    await page.locator('.ProseMirror strong', { hasText: 'Bold' }).waitFor()

    // The block type menu: a menu button, arrows inside, Escape back to the button.
    await page.keyboard.press('Shift+Tab')
    await page.keyboard.press('Home')
    await waitForFocus(toolbarButton(page, 'undo'))
    // Redo is disabled (nothing was undone): the arrow skips it.
    await page.keyboard.press('ArrowRight')
    await waitForFocus(blockType)
    await page.keyboard.press('Enter')
    const menu = page.getByRole('menu', { name: 'Block type' })
    await menu.waitFor()
    await waitForFocus(menu.getByRole('menuitemradio', { name: 'Text' }))
    await screenshot('block-type-menu', toolbar, menu)
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await waitForFocus(menu.getByRole('menuitemradio', { name: 'Heading 2' }))
    await page.keyboard.press('Enter')
    await page.locator('.ProseMirror h2', { hasText: 'Bold' }).waitFor()
    await waitForFocus(blockType)
    assert.equal(await blockType.textContent(), 'Heading 2')
    assert.equal(await menu.isVisible(), false)
  },
)

browserTest(
  'task lists and tables come from the toolbar, with table tools in tables',
  async (t, session) => {
    const page = await openEmptyDocument(t, session)
    const tableTools = page.getByRole('group', { name: 'Table' })
    assert.equal(await tableTools.isVisible(), false)
    await toolbarButton(page, 'task-list').click()
    await page.locator('.ProseMirror ul[data-type="taskList"]').waitFor()
    assert.equal(await toolbarButton(page, 'task-list').getAttribute('aria-pressed'), 'true')
    await page.keyboard.type('Buy milk')
    await page.locator('.ProseMirror li[data-type="taskItem"] input[type="checkbox"]').check()
    await page.locator('.ProseMirror li[data-type="taskItem"][data-checked="true"]').waitFor()
    await page.locator('.ProseMirror li[data-type="taskItem"]').click()
    await page.keyboard.press('End')
    await page.keyboard.press('Enter')
    await page.keyboard.press('Enter')
    await toolbarButton(page, 'table').click()
    await page.locator('.ProseMirror table').waitFor()
    await tableTools.waitFor()
    assert.equal(await page.locator('.ProseMirror table tr').count(), 3)
    await page.keyboard.type('Name')
    await screenshot('table-tools', page.getByRole('toolbar', { name: 'Formatting' }))
    await tableTools.getByRole('button', { name: 'Add a row below' }).click()
    await until(async () => (await page.locator('.ProseMirror table tr').count()) === 4, {
      what: 'a fourth row',
    })
    await tableTools.getByRole('button', { name: 'Add a column to the right' }).click()
    await until(
      async () => (await page.locator('.ProseMirror table tr').first().locator('th').count()) === 4,
      {
        what: 'a fourth column',
      },
    )
    await tableTools.getByRole('button', { name: 'Delete the table' }).click()
    await page.locator('.ProseMirror table').waitFor({ state: 'detached' })
    await tableTools.waitFor({ state: 'hidden' })
    assert.equal(
      await page.locator('.ProseMirror li[data-type="taskItem"]').textContent(),
      'Buy milk',
    )
  },
)

browserTest(
  'the shortcut help lists the shortcuts in the words the tooltips use',
  async (t, session) => {
    const page = await openEmptyDocument(t, session)
    const bold = toolbarButton(page, 'strong')
    assert.equal(await bold.getAttribute('title'), 'Bold (Ctrl+B)')
    assert.equal(await bold.getAttribute('aria-label'), 'Bold')
    assert.equal(await bold.getAttribute('aria-keyshortcuts'), 'Control+B')
    assert.equal(await toolbarButton(page, 'redo').getAttribute('title'), 'Redo (Ctrl+Y)')
    assert.equal(
      await toolbarButton(page, 'heading1').getAttribute('title'),
      'Heading 1 (Ctrl+Shift+1)',
    )

    await toolbarButton(page, 'help').click()
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await dialog.waitFor()
    await screenshot('shortcut-help', page.locator('.collab-editor'), dialog)
    const row = (description: string): Locator =>
      dialog.locator('dl > div').filter({ has: page.getByText(description, { exact: true }) })
    assert.equal(await row('Bold').locator('dd').textContent(), 'Ctrl+B')
    assert.deepEqual(await row('Bold').locator('kbd').allTextContents(), ['Ctrl', 'B'])
    assert.equal(await row('Redo').locator('dd').textContent(), 'Ctrl+Shift+Z or Ctrl+Y')
    assert.equal(await row('Heading 1').locator('dd').textContent(), 'Ctrl+Shift+1')
    assert.equal(await row('Add or edit a link').locator('dd').textContent(), 'Ctrl+K')
    // The tooltips say what the help says, for every toolbar button with a shortcut.
    for (const button of await page
      .locator('.collab-editor-toolbar button[aria-keyshortcuts]')
      .all()) {
      const title = (await button.getAttribute('title')) ?? ''
      const [, label, keys] = /^(.*) \((.*)\)$/.exec(title) ?? []
      assert.ok(keys, `${title} names its shortcut`)
      assert.ok(
        (await dialog.locator('dd').allTextContents()).some((text) =>
          text.split(' or ').includes(keys),
        ),
        `the help lists ${keys} (${label})`,
      )
    }
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    await waitFor(page, 'view.hasFocus()')

    await page.keyboard.press('Control+/')
    await dialog.waitFor()
    await waitForFocus(dialog.getByRole('button', { name: 'Close' }))
    await page.keyboard.press('Enter')
    await dialog.waitFor({ state: 'hidden' })
    await waitFor(page, 'view.hasFocus()')
  },
)

browserTest(
  'an image goes in by its address, from the toolbar or the slash menu',
  async (t, session) => {
    const page = await openEmptyDocument(t, session)
    await page.keyboard.type('A cat: ')
    await toolbarButton(page, 'image').click()
    const form = page.locator('.collab-editor-image-popover')
    const address = form.getByRole('textbox', { name: 'Image address' })
    await waitForFocus(address)
    await address.fill('ftp://example.com/cat.png')
    await address.press('Enter')
    assert.equal(
      await form.getByRole('alert').textContent(),
      'Use an http:// or https:// address of an image',
    )
    await address.fill('https://example.com/cat.png')
    await form.getByRole('textbox', { name: 'Description (alt text)' }).fill('A grey cat')
    await screenshot('image-form', page.locator('.collab-editor'), form)
    await form.getByRole('button', { name: 'Insert' }).click()
    await page
      .locator('.ProseMirror img[src="https://example.com/cat.png"][alt="A grey cat"]')
      .waitFor()
    await form.waitFor({ state: 'hidden' })
    await waitFor(page, 'view.hasFocus()')

    await page.keyboard.press('Enter')
    await page.keyboard.type('/ima')
    await page.locator('.collab-editor-slash-menu').getByRole('option', { name: 'Image' }).waitFor()
    await page.keyboard.press('Enter')
    await waitForFocus(address)
    assert.equal(await page.locator('.ProseMirror').getByText('/ima').count(), 0)
    await page.keyboard.press('Escape')
    await form.waitFor({ state: 'hidden' })
    await waitFor(page, 'view.hasFocus()')
    // Closing the form inserted nothing.
    const images = await page.evaluate(`(() => {
      let count = 0
      const { doc } = document.querySelector('collab-editor').editor.view.state
      doc.descendants((node) => void (count += node.type.name === 'image' ? 1 : 0))
      return count
    })()`)
    assert.equal(images, 1)
  },
)

browserTest('on macOS the tooltips and the help say ⌘, and ⌘ works', async (t, session) => {
  const { port } = await startServer(t, { staticDirectory: publicDirectory })
  const { page } = await session.open('about:blank')
  await page.addInitScript(
    "Object.defineProperty(navigator, 'platform', { get: () => 'MacIntel' })",
  )
  await page.goto(`http://127.0.0.1:${port}/?doc=mac&user=Ann`)
  await waitSynced(page)
  const bold = toolbarButton(page, 'strong')
  assert.equal(await bold.getAttribute('title'), 'Bold (⌘B)')
  assert.equal(await bold.getAttribute('aria-keyshortcuts'), 'Meta+B')
  assert.equal(await toolbarButton(page, 'redo').getAttribute('title'), 'Redo (⇧⌘Z)')
  await page.locator('.ProseMirror').click()
  await page.keyboard.press('Meta+b')
  await page.keyboard.type('strong')
  await page.locator('.ProseMirror strong', { hasText: 'strong' }).waitFor()

  await page.keyboard.press('Meta+/')
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
  await dialog.waitFor()
  const row = (description: string): Locator =>
    dialog.locator('dl > div').filter({ has: page.getByText(description, { exact: true }) })
  assert.equal(await row('Bold').locator('dd').textContent(), '⌘B')
  assert.deepEqual(await row('Bold').locator('kbd').allTextContents(), ['⌘', 'B'])
  assert.equal(await row('Heading 1').locator('dd').textContent(), '⌃⇧1')
})
