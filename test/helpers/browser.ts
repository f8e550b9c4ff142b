// Real-browser tests: Debian's Chromium driven by playwright-core, one browser context per
// simulated person, a screenshot and the page logs of every page when a test fails.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import test, { type TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { chromiumLaunchArgs, chromiumPath } from './chromium.js'
import { deferCleanup } from './cleanup.js'
import { makeTempDir } from './tmp-dir.js'

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url))

/** Where the build puts the editor bundle and the demo app. */
export const publicDirectory = join(repositoryRoot, 'dist/public')

/** Where failing tests leave screenshots and page logs (gitignored). */
export const artifactsDirectory = join(repositoryRoot, 'test-artifacts')

/** Runs scripts/build.mjs (server command, editor bundle, demo app). */
export async function buildEditor(): Promise<void> {
  await promisify(execFile)(process.execPath, ['scripts/build.mjs'], { cwd: repositoryRoot })
}

/** One page in its own browser context (own cookies, storage, IndexedDB, network switch). */
export interface Person {
  context: BrowserContext
  page: Page
}

/** A launched browser and the people (contexts) opened in it during one test. */
export interface BrowserSession {
  browser: Browser
  /** Opens a new context and page at `url`; closing the page is up to the test or the session. */
  open(url: string): Promise<Person>
}

/**
 * Declares a test that gets a fresh Chromium. Without Chromium the test is skipped with a
 * message, except under CI=true, where that is a failure. When the test fails, every page it
 * opened leaves `<test>-<n>.png` and `<test>-<n>.log` in test-artifacts/.
 */
export function browserTest(
  name: string,
  body: (t: TestContext, session: BrowserSession) => Promise<void>,
): void {
  void test(name, async (t) => {
    if (!existsSync(chromiumPath)) {
      const message = `no Chromium at ${chromiumPath}: install it (apt-get install chromium) or set CHROMIUM_PATH`
      if (process.env.CI === 'true') throw new Error(message)
      console.warn(`\n*** SKIPPED browser test "${name}": ${message} ***\n`)
      t.skip(message)
      return
    }
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: chromiumLaunchArgs,
    })
    deferCleanup(t, () => browser.close())
    const pages: Array<{ page: Page; log: string[] }> = []
    const session: BrowserSession = {
      browser,
      async open(url) {
        const context = await browser.newContext({ viewport: { width: 900, height: 600 } })
        const page = await context.newPage()
        const log: string[] = []
        page.on('console', (message) => log.push(`${message.type()}: ${message.text()}`))
        page.on('pageerror', (error) => log.push(`pageerror: ${error.stack ?? error.message}`))
        pages.push({ page, log })
        await page.goto(url)
        return { context, page }
      },
    }
    try {
      await body(t, session)
    } catch (error) {
      await saveArtifacts(name, pages)
      throw error
    }
  })
}

/** Writes the page's editor (the `.collab-editor` box) to test-artifacts/<name>.png; its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(artifactsDirectory, { recursive: true })
  const path = join(artifactsDirectory, `${name}.png`)
  await page.locator('.collab-editor').first().screenshot({ path })
  return path
}

/** A directory of files for startServer's `staticDirectory`: the built editor and test pages. */
export interface TestSite {
  readonly directory: string
  /** Writes `html` as `<name>.html`; the server serves it at `/<name>.html` at once. */
  addPage(name: string, html: string): Promise<void>
}

/**
 * Copies the built editor (editor.js, which holds its stylesheet) into a temporary directory that
 * tests add their own pages to. A page served by the collab server itself is on its origin, as the demo is
 * (Chromium lets only such pages open WebSockets to the loopback server), and has IndexedDB.
 */
export async function makeTestSite(t: TestContext): Promise<TestSite> {
  const directory = await makeTempDir(t, 'collab-site-')
  await copyFile(join(publicDirectory, 'editor.js'), join(directory, 'editor.js'))
  return {
    directory,
    addPage: (name, html) => writeFile(join(directory, `${name}.html`), html),
  }
}

async function saveArtifacts(
  name: string,
  pages: Array<{ page: Page; log: string[] }>,
): Promise<void> {
  await mkdir(artifactsDirectory, { recursive: true })
  const base = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()
  for (const [index, { page, log }] of pages.entries()) {
    const path = join(artifactsDirectory, `${base}-${index + 1}`)
    await writeFile(`${path}.log`, log.join('\n'))
    if (!page.isClosed()) await page.screenshot({ path: `${path}.png` }).catch(() => undefined)
  }
}

// The DOM the page-side function below uses: the root tsconfig has no DOM library.
interface PageNode {
  querySelector(selector: string): PageElement | null
  querySelectorAll(selector: string): Iterable<PageElement>
}
interface PageElement extends PageNode {
  readonly textContent: string | null
  readonly children: Iterable<PageElement>
  readonly shadowRoot: PageNode | null
  cloneNode(deep: true): PageElement
  remove(): void
}
declare const document: PageNode

// Runs in the page: the text of every top-level block of the first editor inside `scope`, without
// remote cursors' name labels. Editors live in open shadow roots, so it looks in those (no named
// inner functions: tsx would wrap them in a helper the page does not have).
const readEditorText = (scope: string): string => {
  const scopeElement = document.querySelector(scope)
  const hosts = scopeElement ? [scopeElement, ...scopeElement.querySelectorAll('*')] : []
  let editor: PageElement | null = null
  for (const host of hosts) {
    if (editor) break
    if (!host.shadowRoot) continue
    editor = host.shadowRoot.querySelector('.ProseMirror')
    hosts.push(...host.shadowRoot.querySelectorAll('*'))
  }
  return [...(editor?.children ?? [])]
    .map((block) => {
      const copy = block.cloneNode(true)
      for (const cursor of copy.querySelectorAll('.ProseMirror-yjs-cursor')) cursor.remove()
      return copy.textContent
    })
    .join('\n')
}

/**
 * The text of the editor on the page (inside the element `scope` selects, if several), one
 * line per top-level block, remote cursors left out.
 */
export function editorText(page: Page, scope = ':root'): Promise<string> {
  return page.evaluate(readEditorText, scope)
}

/** Waits until the editor's text (as `editorText` reads it) equals `expected`. */
export async function waitForText(
  page: Page,
  expected: string,
  { scope = ':root', timeoutMs = 10_000 }: { scope?: string; timeoutMs?: number } = {},
): Promise<void> {
  const condition = `(${readEditorText.toString()})(${JSON.stringify(scope)}) === ${JSON.stringify(expected)}`
  await page
    .waitForFunction(condition, undefined, { timeout: timeoutMs })
    .catch(async (error: unknown) => {
      const actual = await editorText(page, scope)
      throw new Error(
        `editor text is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
        {
          cause: error,
        },
      )
    })
}

interface CachedOrigin {
  indexedDB?: Array<{ name: string; stores: Array<{ name: string; records: unknown[] }> }>
}

/** How many updates the editors' IndexedDB caches (`collab-editor:*`) in the context hold. */
export async function countCachedUpdates(context: BrowserContext): Promise<number> {
  const { origins } = await context.storageState({ indexedDB: true })
  // playwright-core's type of the result leaves out the `indexedDB` field it returns.
  let count = 0
  for (const { indexedDB = [] } of origins as CachedOrigin[]) {
    for (const database of indexedDB) {
      if (!database.name.startsWith('collab-editor:')) continue
      for (const store of database.stores)
        if (store.name === 'updates') count += store.records.length
    }
  }
  return count
}

/** Waits until the editor on the page has synced with the server. */
export async function waitSynced(page: Page, timeoutMs = 10_000): Promise<void> {
  await page.waitForSelector('.collab-editor[data-synced]', {
    state: 'attached',
    timeout: timeoutMs,
  })
}

/**
 * Puts the caret at the end of top-level block number `index` (0-based) of the page's
 * `<collab-editor>`: a click and End, then a wait until ProseMirror has read that selection
 * (it reads DOM selection changes asynchronously; keys sent sooner act on the old one). On a
 * busy machine a click can land before the previous one was read, so it is tried again until
 * the deadline.
 */
export async function placeCaretAtEndOf(
  page: Page,
  index: number,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const isAtEnd = `(() => {
    const { empty, $head } = document.querySelector('collab-editor').editor.view.state.selection
    return empty && $head.index(0) === ${index} && $head.parentOffset === $head.parent.content.size
  })()`
  for (;;) {
    await page.locator('.ProseMirror > *').nth(index).click()
    await page.keyboard.press('End')
    try {
      await page.waitForFunction(isAtEnd, undefined, { timeout: 2_000 })
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
    }
  }
}
