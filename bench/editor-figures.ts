// Figures for the editor (not run by npm test): bundle size, time from page load to an editable
// synced large document (the automerge-paper trace's final text), keystroke-to-remote-render
// latency between two browser contexts, and keystroke to Saved (the server's acknowledgement). Run: node --import tsx bench/editor-figures.ts
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { gunzipSync, gzipSync } from 'node:zlib'
import { chromium, type Browser } from 'playwright-core'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { openLevelDbStore } from '../persistence/leveldb/store.js'
import { createCollabServer } from '../server/index.js'
import { createLogger } from '../server/logger.js'
import { chromiumLaunchArgs, chromiumPath } from '../test/helpers/chromium.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const publicDirectory = join(root, 'dist/public')
const tracePath = join(root, '../shared/traces/automerge-paper.json.gz')
const loadRuns = 5
const keystrokes = 100

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2
}

// editor.js holds the stylesheet too.
function bundleSizes(): void {
  const contents = readFileSync(join(publicDirectory, 'editor.js'))
  const gzipped = gzipSync(contents, { level: 9 }).length
  console.log(
    `editor.js: ${(contents.length / 1024).toFixed(1)} KiB minified, ${(gzipped / 1024).toFixed(1)} KiB gzipped`,
  )
}

// Page-side: the demo's editor lives in the open shadow root of its <collab-editor>.
const editorShadowRoot = "document.querySelector('collab-editor')?.shadowRoot"

/** Puts one paragraph per line of the trace's final text into the room, through the server. */
async function seedLargeDocument(serverUrl: string, room: string): Promise<number> {
  const trace = JSON.parse(gunzipSync(readFileSync(tracePath)).toString('utf8')) as {
    endContent: string
  }
  const lines = trace.endContent.split('\n')
  const doc = new Y.Doc()
  doc.transact(() => {
    doc.getXmlFragment('prosemirror').insert(
      0,
      lines.map((line) => {
        const paragraph = new Y.XmlElement('paragraph')
        if (line) paragraph.insert(0, [new Y.XmlText(line)])
        return paragraph
      }),
    )
  })
  const provider = new WebsocketProvider(serverUrl, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  })
  // Synced means the server answered our state vector; our update was sent before its answer.
  await new Promise<void>((resolve) => provider.once('sync', () => resolve()))
  const check = new Y.Doc()
  const checker = new WebsocketProvider(serverUrl, room, check, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  })
  await new Promise<void>((resolve) => checker.once('sync', () => resolve()))
  if (check.getXmlFragment('prosemirror').length !== lines.length) throw new Error('seeding failed')
  checker.destroy()
  provider.destroy()
  console.log(`large document: ${lines.length} paragraphs, ${trace.endContent.length} characters`)
  return lines.length
}

/** Milliseconds from navigation start until the editor is editable, synced and shows every paragraph. */
async function measureLoad(browser: Browser, url: string, paragraphs: number): Promise<number> {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(url)
  const ready = await page.waitForFunction(
    `${editorShadowRoot}?.querySelector('.collab-editor[data-synced] .ProseMirror[contenteditable="true"]') &&
     ${editorShadowRoot}.querySelectorAll('.ProseMirror > p').length === ${paragraphs} && performance.now()`,
    undefined,
    { polling: 'raf', timeout: 60_000 },
  )
  const elapsedMs = (await ready.jsonValue()) as number
  await context.close()
  return elapsedMs
}

/** Median ms from a keydown in one context to the character in the other context's DOM. */
async function measureKeystrokeLatency(browser: Browser, url: string): Promise<number> {
  const [writer, reader] = await Promise.all(
    ['Writer', 'Reader'].map(async (name) => {
      const page = await (await browser.newContext()).newPage()
      await page.goto(`${url}&user=${name}`)
      await page.waitForSelector('.collab-editor[data-synced]')
      return page
    }),
  )
  if (!writer || !reader) throw new Error('no pages')
  await writer.locator('.ProseMirror').click()
  await writer.evaluate(`window.sentAt = [];
    ${editorShadowRoot}.querySelector('.ProseMirror').addEventListener('keydown',
      () => window.sentAt.push(performance.timeOrigin + performance.now()), true)`)
  await reader.evaluate(`window.seenAt = []; let length = 0
    const editor = ${editorShadowRoot}.querySelector('.ProseMirror')
    new MutationObserver(() => {
      const now = performance.timeOrigin + performance.now()
      const next = editor.firstElementChild.firstChild?.textContent?.length ?? 0
      for (; length < next; length++) window.seenAt.push(now)
    }).observe(editor, { subtree: true, childList: true, characterData: true })`)
  for (let index = 1; index <= keystrokes; index++) {
    await writer.keyboard.press('x')
    await reader.waitForFunction(`window.seenAt.length >= ${index}`, undefined, { polling: 'raf' })
  }
  const sentAt = await writer.evaluate<number[]>('window.sentAt')
  const seenAt = await reader.evaluate<number[]>('window.seenAt')
  return median(seenAt.map((seen, index) => seen - (sentAt[index] ?? NaN)))
}

/** Median ms from a keydown to the editor saying Saved (the server acknowledged storing it). */
async function measureKeystrokeToSaved(browser: Browser, url: string): Promise<number> {
  const page = await (await browser.newContext()).newPage()
  await page.goto(`${url}&user=Writer`)
  await page.waitForSelector('.collab-editor[data-save-state="saved"]', { state: 'attached' })
  await page.locator('.ProseMirror').click()
  await page.evaluate(`window.sentAt = []; window.savedAt = []
    ${editorShadowRoot}.querySelector('.ProseMirror').addEventListener('keydown',
      () => window.sentAt.push(performance.now()), true)
    document.querySelector('collab-editor').editor.on('save-state', (state) => {
      if (state === 'saved') window.savedAt.push(performance.now())
    })`)
  for (let index = 1; index <= keystrokes; index++) {
    await page.keyboard.press('x')
    await page.waitForFunction(`window.savedAt.length >= ${index}`, undefined, { polling: 'raf' })
  }
  const sentAt = await page.evaluate<number[]>('window.sentAt')
  const savedAt = await page.evaluate<number[]>('window.savedAt')
  await page.context().close()
  return median(savedAt.map((saved, index) => saved - (sentAt[index] ?? NaN)))
}

async function main(): Promise<void> {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root })
  bundleSizes()

  const dataDirectory = mkdtempSync(join(tmpdir(), 'editor-figures-'))
  const store = await openLevelDbStore({ directory: dataDirectory })
  const silent = new Writable({ write: (_chunk, _encoding, callback) => callback() })
  const server = createCollabServer({
    store,
    logger: createLogger('warn', silent),
    staticDirectory: publicDirectory,
  })
  const { port } = await server.listen(0, '127.0.0.1')
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumLaunchArgs })
  try {
    const paragraphs = await seedLargeDocument(`ws://127.0.0.1:${port}`, 'large')
    const loadTimes: number[] = []
    for (let run = 0; run < loadRuns; run++) {
      loadTimes.push(
        await measureLoad(browser, `http://127.0.0.1:${port}/?doc=large&user=Reader`, paragraphs),
      )
    }
    console.log(
      `page load → editable synced large document: median ${median(loadTimes).toFixed(0)} ms over ${loadRuns} fresh contexts ` +
        `(${loadTimes.map((ms) => ms.toFixed(0)).join(', ')})`,
    )
    const latencyMs = await measureKeystrokeLatency(
      browser,
      `http://127.0.0.1:${port}/?doc=latency`,
    )
    console.log(
      `keystroke → remote render: median ${latencyMs.toFixed(1)} ms over ${keystrokes} keystrokes`,
    )
    const savedMs = await measureKeystrokeToSaved(browser, `http://127.0.0.1:${port}/?doc=saved`)
    console.log(`keystroke → Saved: median ${savedMs.toFixed(1)} ms over ${keystrokes} keystrokes`)
  } finally {
    await browser.close()
    await server.close()
    await store.close()
    rmSync(dataDirectory, { recursive: true, force: true })
  }
}

await main()
