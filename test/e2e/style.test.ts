// The editor looks the same on any page: the host page's CSS does not reach into its shadow root
// and its own CSS does not reach out; its theme follows the system's colour scheme unless the
// `theme` attribute or option forces one, and pages theme it through --collab-editor-* knobs.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { before } from 'node:test'
import type { Page } from 'playwright-core'
import {
  artifactsDirectory,
  browserTest,
  buildEditor,
  makeTestSite,
  type TestSite,
  waitForText,
  waitSynced,
} from '../helpers/browser.js'
import { startServer } from '../helpers/start-server.js'

before(buildEditor)

/** The hostile page, plus every inherited property a page could pass down. */
const hostileCss = `h1 { font-size: 10px } p { margin: 0 } * { color: red }
body { font: italic 700 30px/3 serif; letter-spacing: 4px; word-spacing: 9px;
  text-transform: uppercase; text-align: center; cursor: wait; direction: rtl }`

/** A page with the CSS `css`, a heading and editor lookalikes of its own, and an editor. */
async function addHostPage(site: TestSite, name: string, css: string, user: string): Promise<void> {
  await site.addPage(
    name,
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${name}</title><link rel="icon" href="data:,">
<style>${css}</style></head>
<body>
<h1 id="page-heading">The host page</h1>
<div class="collab-editor" id="lookalike"><p class="ProseMirror">Not the editor</p></div>
<collab-editor document="styled" user-name="${user}" user-color="#1967d2"></collab-editor>
<script type="module" src="/editor.js"></script>
</body></html>`,
  )
}

/** Types a document with every kind of block into the page's editor. */
async function typeSampleDocument(page: Page): Promise<string> {
  await page.locator('collab-editor .ProseMirror').click()
  const lines = [
    '# Launch plan',
    'A short plan for the **beta** launch: *everyone* on one page, and `npm start` to try it.',
    '## Goals',
    '- Ship the editor to the first teams',
    'Collect feedback in the shared document',
    '',
    '### Open questions',
    '> Who writes the announcement?',
    '',
    'Dates are in the team calendar; the heading sizes go down from one level to the next.',
  ]
  for (const [index, line] of lines.entries()) {
    if (index > 0) await page.keyboard.press('Enter')
    await page.keyboard.type(line)
  }
  return [
    'Launch plan',
    'A short plan for the beta launch: everyone on one page, and npm start to try it.',
    'Goals',
    'Ship the editor to the first teamsCollect feedback in the shared document',
    'Open questions',
    'Who writes the announcement?',
    'Dates are in the team calendar; the heading sizes go down from one level to the next.',
  ].join('\n')
}

// Page-side: the page's <collab-editor> keeps its editor in its open shadow root.
const editorShadowRoot = "document.querySelector('collab-editor').shadowRoot"

/** Computed styles of the editor's parts, as a page-side expression. */
const editorLook = `(() => {
  const root = ${editorShadowRoot}
  const look = (selector) => {
    const element = root.querySelector(selector)
    if (!element) return null
    const style = getComputedStyle(element)
    return Object.fromEntries(['fontSize', 'fontWeight', 'fontStyle', 'fontFamily', 'lineHeight',
      'color', 'backgroundColor', 'marginTop', 'marginBottom', 'letterSpacing', 'wordSpacing',
      'textAlign', 'textTransform', 'direction', 'cursor'].map((name) => [name, style[name]]))
  }
  return Object.fromEntries(['.collab-editor', '.ProseMirror', '.ProseMirror h1',
    '.ProseMirror h2', '.ProseMirror h3', '.ProseMirror p', '.ProseMirror li',
    '.ProseMirror blockquote', '.ProseMirror code', '.ProseMirror strong',
    '.collab-editor-toolbar button[data-command="history"]', '.collab-editor-status',
    '.collab-presence-user']
    .map((selector) => [selector, look(selector)]))
})()`

type Look = Record<string, Record<string, string> | null>

/**
 * A computed style property of the element `selector` finds in `root`, a page-side expression:
 * `document`, or a shadow root.
 */
function computedStyle(
  page: Page,
  root: string,
  selector: string,
  property: string,
): Promise<string> {
  const element = `${root}.querySelector(${JSON.stringify(selector)})`
  return page.evaluate(`getComputedStyle(${element})[${JSON.stringify(property)}]`)
}

const pageStyle = (page: Page, selector: string, property: string): Promise<string> =>
  computedStyle(page, 'document', selector, property)

/** Writes the page's editor (the `.collab-editor` box) to test-artifacts/<name>.png. */
async function saveScreenshot(page: Page, name: string): Promise<void> {
  await mkdir(artifactsDirectory, { recursive: true })
  await page
    .locator('collab-editor .collab-editor')
    .screenshot({ path: join(artifactsDirectory, `${name}.png`) })
}

const light = { background: 'rgb(255, 255, 255)', text: 'rgb(31, 35, 40)' }
const dark = { background: 'rgb(13, 17, 23)', text: 'rgb(230, 237, 243)' }

browserTest(
  'the host page’s CSS does not restyle the editor, and the editor’s CSS stays inside it',
  async (t, session) => {
    const site = await makeTestSite(t)
    await addHostPage(site, 'plain', '', 'Ann')
    await addHostPage(site, 'hostile', hostileCss, 'Bob')
    const { port } = await startServer(t, { staticDirectory: site.directory })
    const ann = await session.open(`http://127.0.0.1:${port}/plain.html`)
    const bob = await session.open(`http://127.0.0.1:${port}/hostile.html`)
    // Playwright's locators reach into the open shadow root.
    await Promise.all([waitSynced(ann.page), waitSynced(bob.page)])
    await ann.page
      .locator('.collab-editor[data-synced] .ProseMirror[contenteditable="true"]')
      .waitFor()
    const text = await typeSampleDocument(ann.page)
    await waitForText(bob.page, text, { scope: 'collab-editor' })
    await bob.page.locator('collab-editor .ProseMirror p').last().click()
    await ann.page.locator('.ProseMirror-yjs-cursor', { hasText: 'Bob' }).waitFor()

    const plainLook = await ann.page.evaluate<Look>(editorLook)
    const hostileLook = await bob.page.evaluate<Look>(editorLook)
    assert.deepEqual(hostileLook, plainLook)
    const fontSize = (selector: string): number => parseFloat(plainLook[selector]?.fontSize ?? '')
    assert.ok(fontSize('.ProseMirror h1') > fontSize('.ProseMirror h2'), 'H1 > H2')
    assert.ok(fontSize('.ProseMirror h2') > fontSize('.ProseMirror h3'), 'H2 > H3')
    assert.ok(fontSize('.ProseMirror h3') > fontSize('.ProseMirror p'), 'H3 > paragraph')
    assert.equal(plainLook['.ProseMirror p']?.marginBottom, '12px')
    assert.equal(plainLook['.ProseMirror p']?.color, light.text)
    assert.equal(plainLook['.collab-editor']?.direction, 'ltr')

    // The page's own elements keep the page's styles, lookalike class names included.
    assert.equal(await pageStyle(bob.page, '#page-heading', 'fontSize'), '10px')
    assert.equal(await pageStyle(ann.page, '#page-heading', 'fontSize'), '32px')
    for (const page of [ann.page, bob.page]) {
      assert.equal(await pageStyle(page, '#lookalike', 'borderTopWidth'), '0px')
      assert.equal(await pageStyle(page, '#lookalike', 'display'), 'block')
      assert.equal(await pageStyle(page, '#lookalike .ProseMirror', 'whiteSpace'), 'normal')
      assert.equal(await pageStyle(page, '#lookalike .ProseMirror', 'paddingTop'), '0px')
    }

    await saveScreenshot(ann.page, 'style-light')
    await saveScreenshot(bob.page, 'style-hostile')
    await ann.page.emulateMedia({ colorScheme: 'dark' })
    assert.equal(
      await computedStyle(ann.page, editorShadowRoot, '.collab-editor', 'backgroundColor'),
      dark.background,
    )
    await saveScreenshot(ann.page, 'style-dark')
  },
)

browserTest(
  'the theme follows the colour scheme unless the theme attribute or option forces one',
  async (t, session) => {
    const site = await makeTestSite(t)
    await site.addPage(
      'themed',
      `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>themed</title><link rel="icon" href="data:,">
<style>#branded { --collab-editor-accent: #7c3aed; --collab-editor-radius: 2px }</style></head>
<body>
<collab-editor id="themed" document="themed" user-name="Ann"></collab-editor>
<collab-editor id="branded" document="themed" user-name="Ann" theme="dark"></collab-editor>
<collab-editor id="broken" user-name="Ann"></collab-editor>
<div id="api-editor"></div>
<script type="module">
  import { createEditor } from '/editor.js'
  const options = { serverUrl: location.origin, document: 'themed', user: { name: 'Api' } }
  try {
    createEditor(document.getElementById('api-editor'), { ...options, theme: 'purple' })
  } catch (error) {
    window.badThemeError = error.constructor.name
  }
  const container = document.getElementById('api-editor')
  window.apiEditor = createEditor(container, { ...options, theme: 'dark' })
</script>
</body></html>`,
    )
    const { port } = await startServer(t, { staticDirectory: site.directory })
    const { page } = await session.open(`http://127.0.0.1:${port}/themed.html`)
    await page.locator('#themed .collab-editor[data-synced]').waitFor()
    const themed = "document.querySelector('#themed')"
    const background = (root = `${themed}.shadowRoot`): Promise<string> =>
      computedStyle(page, root, '.collab-editor', 'backgroundColor')
    const text = (): Promise<string> =>
      computedStyle(page, `${themed}.shadowRoot`, '.ProseMirror', 'color')
    const setTheme = (theme: string): Promise<void> =>
      page.evaluate(`${themed}.setAttribute('theme', ${JSON.stringify(theme)})`)

    await page.emulateMedia({ colorScheme: 'light' })
    assert.equal(await background(), light.background)
    assert.equal(await text(), light.text)
    await page.emulateMedia({ colorScheme: 'dark' })
    assert.equal(await background(), dark.background)
    assert.equal(await text(), dark.text)

    // The attribute restyles the editor it has; it does not make a new one.
    await page.evaluate(`window.firstEditor = ${themed}.editor`)
    await setTheme('light')
    assert.equal(await background(), light.background)
    await page.emulateMedia({ colorScheme: 'light' })
    await setTheme('dark')
    assert.equal(await background(), dark.background)
    assert.equal(await text(), dark.text)
    await setTheme('purple')
    assert.equal(await background(), light.background)
    assert.equal(await page.evaluate(`${themed}.editor === window.firstEditor`), true)

    // A page's knobs win over the theme's defaults, in the dark theme too.
    const branded = "document.querySelector('#branded').shadowRoot"
    const brandedStyle = (property: string): Promise<string> =>
      computedStyle(page, branded, '.collab-editor', property)
    assert.equal(await brandedStyle('accentColor'), 'rgb(124, 58, 237)')
    assert.equal(await brandedStyle('borderRadius'), '2px')
    assert.equal(await brandedStyle('backgroundColor'), dark.background)

    // A bad attribute is said in the element's shadow root, where the editor would be.
    assert.match(
      (await page.locator('#broken .collab-editor-error').textContent()) ?? '',
      /^collab-editor: /,
    )
    assert.equal(await page.evaluate("document.querySelector('#broken').childElementCount"), 0)

    // createEditor: its own open shadow root in a host div, the theme option, a RangeError for
    // a bad theme (leaving nothing behind), and destroy() taking the host away.
    assert.equal(await page.evaluate('window.badThemeError'), 'RangeError')
    const api = "document.querySelector('#api-editor .collab-editor-host').shadowRoot"
    await page.locator('#api-editor .collab-editor[data-theme="dark"][data-synced]').waitFor()
    assert.equal(await page.locator('#api-editor .collab-editor-host').count(), 1)
    assert.equal(await background(api), dark.background)
    await page.evaluate("window.apiEditor.theme = 'auto'")
    assert.equal(await background(api), light.background)
    await page.evaluate('window.apiEditor.destroy()')
    assert.equal(await page.evaluate("document.querySelector('#api-editor').childElementCount"), 0)
  },
)
