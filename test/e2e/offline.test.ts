// Offline editing in a real browser: edits made without a network merge both ways when it
// returns, and edits made while the server is unreachable survive a reload (IndexedDB).
import { before } from 'node:test'
import {
  browserTest,
  buildEditor,
  countCachedUpdates,
  placeCaretAtEndOf,
  publicDirectory,
  waitForText,
  waitSynced,
} from '../helpers/browser.js'
import { startServer } from '../helpers/start-server.js'
import { until } from '../helpers/until.js'

before(buildEditor)

browserTest(
  'edits made offline reach the others when the network returns, and back',
  async (t, session) => {
    const { port } = await startServer(t, { staticDirectory: publicDirectory })
    const link = `http://127.0.0.1:${port}/?doc=offline`
    const ann = await session.open(`${link}&user=Ann`)
    const bob = await session.open(`${link}&user=Bob`)
    await Promise.all([waitSynced(ann.page), waitSynced(bob.page)])
    await ann.page.locator('.ProseMirror').click()
    await ann.page.keyboard.type('shared start')
    await waitForText(bob.page, 'shared start')

    await ann.context.setOffline(true)
    await ann.page.waitForSelector('.collab-editor-status[data-status="offline"]')
    await placeCaretAtEndOf(ann.page, 0)
    await ann.page.keyboard.type(' + Ann offline')
    await placeCaretAtEndOf(bob.page, 0)
    await bob.page.keyboard.press('Enter')
    await bob.page.keyboard.type('Bob online')
    // Each side has only its own edit while the network is cut.
    await waitForText(ann.page, 'shared start + Ann offline')
    await waitForText(bob.page, 'shared start\nBob online')

    await ann.context.setOffline(false)
    await ann.page.waitForSelector('.collab-editor-status[data-status="connected"]')
    const merged = 'shared start + Ann offline\nBob online'
    await Promise.all([waitForText(ann.page, merged), waitForText(bob.page, merged)])
  },
)

browserTest(
  'edits made while the server is unreachable survive a reload and sync later',
  async (t, session) => {
    const { port } = await startServer(t, { staticDirectory: publicDirectory })
    const link = `http://127.0.0.1:${port}/?doc=cached&user=Ann`
    // Only the WebSocket is cut: the page itself still loads, as from a browser cache.
    let isCut = true
    const ann = await session.open('about:blank')
    await ann.context.routeWebSocket(/.*/, (socket) =>
      isCut ? socket.close() : socket.connectToServer(),
    )
    await ann.page.goto(link)
    await ann.page.waitForSelector('.collab-editor[data-status="offline"]')
    await ann.page.locator('.ProseMirror').click()
    const text = 'written without a server'
    await ann.page.keyboard.type(text)
    // A reload aborts IndexedDB writes still in flight: wait for one record per keystroke.
    await until(async () => (await countCachedUpdates(ann.context)) >= text.length, {
      what: 'the keystrokes to be stored in IndexedDB',
    })
    await ann.page.reload()
    await waitForText(ann.page, 'written without a server')
    await ann.page.waitForSelector('.collab-editor[data-status="offline"]')

    isCut = false
    await ann.page.waitForSelector('.collab-editor[data-status="connected"][data-synced]')
    const bob = await session.open(link.replace('Ann', 'Bob'))
    await waitSynced(bob.page)
    await waitForText(bob.page, 'written without a server')
  },
)
