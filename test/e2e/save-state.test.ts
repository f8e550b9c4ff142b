// "Saved" means stored: the editor says Saved only once the server has acknowledged storing
// everything typed so far, so a server killed with SIGKILL right after it loses none of it; it
// says Offline while the network is cut and Saved again once what waited is stored.
import assert from 'node:assert/strict'
import { before } from 'node:test'
import type { Page } from 'playwright-core'
import {
  browserTest,
  buildEditor,
  placeCaretAtEndOf,
  publicDirectory,
  waitForText,
  waitSynced,
} from '../helpers/browser.js'
import type { DocStore } from '../../persistence/store.js'
import { holdsFor } from '../helpers/holds-for.js'
import { freePort } from '../helpers/loopback-ports.js'
import { spawnServer, startServer } from '../helpers/start-server.js'
import { wrapStore } from '../helpers/store-wrapper.js'
import { makeTempDir } from '../helpers/tmp-dir.js'

before(buildEditor)

/** Starts recording the editor's save states on the page, the current one first. */
async function recordSaveStates(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const editor = document.querySelector('collab-editor').editor
    window.saveStates = [editor.saveState]
    editor.on('save-state', (state) => window.saveStates.push(state))
  })()`)
}

function saveStates(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.saveStates')
}

/** Waits until the editor says Saved with its whole document holding `text`. */
async function waitSavedWith(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    `(() => {
      const editor = document.querySelector('collab-editor').editor
      return editor.saveState === 'saved' &&
        editor.doc.getXmlFragment('prosemirror').toString().includes(${JSON.stringify(text)})
    })()`,
    undefined,
    { timeout: 10_000 },
  )
}

function statusText(page: Page): Promise<string> {
  return page.locator('.collab-editor-status').innerText()
}

browserTest(
  'typing goes Saving… then Saved, and a server killed right after Saved loses none of it',
  async (t, session) => {
    const dataDirectory = await makeTempDir(t)
    const port = await freePort()
    const first = await spawnServer(t, dataDirectory, ['--port', String(port)])
    const link = `http://127.0.0.1:${port}/?doc=kept`
    const ann = await session.open(`${link}&user=Ann`)
    await waitSynced(ann.page)
    // A freshly synced document with nothing pending is saved.
    await ann.page.waitForSelector('.collab-editor[data-save-state="saved"]', { state: 'attached' })
    assert.equal(await statusText(ann.page), 'Saved')
    await recordSaveStates(ann.page)

    await ann.page.locator('.ProseMirror').click()
    const text = 'every word of this was stored before the crash'
    await ann.page.keyboard.type(text)
    await waitSavedWith(ann.page, text)
    // Read before the kill: once the socket drops, the editor goes on to Offline.
    const states = await saveStates(ann.page)
    first.child.kill('SIGKILL')
    assert.deepEqual([states[0], states[1]], ['saved', 'saving'], states.join(' → '))
    assert.equal(states.at(-1), 'saved')
    assert.equal(await first.exited, 'SIGKILL')
    await ann.page.waitForSelector('.collab-editor[data-save-state="offline"]', {
      state: 'attached',
    })
    // Closed before the server is back: only what the server stored can come back.
    await ann.context.close()

    await spawnServer(t, dataDirectory, ['--port', String(port)])
    const bob = await session.open(`${link}&user=Bob`)
    await waitSynced(bob.page)
    await waitForText(bob.page, text)
    await bob.page.waitForSelector('.collab-editor[data-save-state="saved"]', { state: 'attached' })
  },
)

browserTest(
  'with the network cut the editor says Offline and keeps typing; back online it says Saved',
  async (t, session) => {
    const { port } = await startServer(t, { staticDirectory: publicDirectory })
    const link = `http://127.0.0.1:${port}/?doc=offline-saved`
    const ann = await session.open(`${link}&user=Ann`)
    const bob = await session.open(`${link}&user=Bob`)
    await Promise.all([waitSynced(ann.page), waitSynced(bob.page)])
    await ann.page.locator('.ProseMirror').click()
    await ann.page.keyboard.type('online words')
    await waitSavedWith(ann.page, 'online words')

    await ann.context.setOffline(true)
    await ann.page.waitForSelector('.collab-editor[data-save-state="offline"]', {
      state: 'attached',
    })
    assert.equal(await statusText(ann.page), 'Offline — changes kept on this device')
    await placeCaretAtEndOf(ann.page, 0)
    await ann.page.keyboard.type(', offline words')
    assert.equal(
      await ann.page.locator('.collab-editor').getAttribute('data-save-state'),
      'offline',
    )

    await ann.context.setOffline(false)
    await waitSavedWith(ann.page, 'online words, offline words')
    assert.equal(await statusText(ann.page), 'Saved')
    await waitForText(bob.page, 'online words, offline words')
  },
)

browserTest(
  'the editor stays at Saving… while the store has not finished writing',
  async (t, session) => {
    let release: () => void = () => undefined
    let held: Promise<void> | undefined
    const { port } = await startServer(t, {
      staticDirectory: publicDirectory,
      wrapStore: (store: DocStore) =>
        wrapStore(store, {
          append: async (room, update) => {
            await held
            return store.append(room, update)
          },
        }),
    })
    const ann = await session.open(`http://127.0.0.1:${port}/?doc=held&user=Ann`)
    await waitSynced(ann.page)
    await ann.page.waitForSelector('.collab-editor[data-save-state="saved"]', { state: 'attached' })
    held = new Promise<void>((resolve) => (release = resolve))
    await ann.page.locator('.ProseMirror').click()
    await ann.page.keyboard.type('waiting for the disk')
    await ann.page.waitForSelector('.collab-editor[data-save-state="saving"]', {
      state: 'attached',
    })
    await holdsFor(async () => (await statusText(ann.page)) === 'Saving…', {
      durationMs: 500,
      what: 'Saving… while the append is held',
    })
    held = undefined
    release()
    await waitSavedWith(ann.page, 'waiting for the disk')
  },
)
