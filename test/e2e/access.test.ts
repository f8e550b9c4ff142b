// Access in a real browser against a real server with a token authenticator: read-only users
// watch but cannot type, getToken renews an expired token without losing edits, and refusals
// (4403, 4413, 4429) are said in words instead of a silent reconnection loop.
import assert from 'node:assert/strict'
import { before, type TestContext } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import type { Page, WebSocketRoute } from 'playwright-core'
import { type Access, type Authenticate, refuse } from '../../server/index.js'
import {
  type BrowserSession,
  browserTest,
  buildEditor,
  editorText,
  makeTestSite,
  type Person,
  placeCaretAtEndOf,
  saveScreenshot,
  type TestSite,
  waitForText,
  waitSynced,
} from '../helpers/browser.js'
import { type StartServerOptions, startServer } from '../helpers/start-server.js'
import { until } from '../helpers/until.js'

before(buildEditor)

/** What a token lets its bearer do; with `lifetimeMs` it expires that long after each use. */
interface Grant {
  userId: string
  access: Access
  lifetimeMs?: number
  isAdmin?: boolean
}

/**
 * A token → grant authenticator (the `token` query parameter, or a bearer token for the admin
 * API); `seen` lists the token of every request, in order.
 */
function tokenAuthenticator(grants: Record<string, Grant>): {
  authenticate: Authenticate
  seen: string[]
} {
  const seen: string[] = []
  const authenticate: Authenticate = ({ url, headers }) => {
    const bearer = /^Bearer (.+)$/.exec(headers.get('authorization') ?? '')?.[1]
    const token = url.searchParams.get('token') ?? bearer ?? ''
    seen.push(token)
    const grant = grants[token]
    if (!grant) return Promise.resolve(refuse(401, 'COLLAB_UNAUTHENTICATED', 'unknown token'))
    const { userId, lifetimeMs, access, isAdmin } = grant
    const expiresAtMs = lifetimeMs === undefined ? undefined : Date.now() + lifetimeMs
    return Promise.resolve({ userId, expiresAtMs, isAdmin, access: () => access })
  }
  return { authenticate, seen }
}

/** Attributes of the test page's `<collab-editor>` (true: present without a value). */
type Attributes = Record<string, string | true>

/**
 * A page with one `<collab-editor>`. With `hasGetToken`, its getToken property is set before the
 * bundle defines the element, and calls the test's `issueToken`.
 */
function editorPage(attributes: Attributes, hasGetToken: boolean): string {
  const attributeText = Object.entries(attributes)
    .map(([name, value]) =>
      value === true ? name : `${name}="${value.replaceAll('"', '&quot;')}"`,
    )
    .join(' ')
  const setGetToken =
    "<script>document.querySelector('collab-editor').getToken = () => window.issueToken()</script>"
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>test</title><link rel="icon" href="data:,"></head>
<body style="margin:16px;background:#f3f4f6">
<collab-editor ${attributeText}></collab-editor>
${hasGetToken ? setGetToken : ''}
<script type="module" src="/editor.js"></script>
</body></html>`
}

/** A server and the site it serves the test pages from. */
interface Stage {
  port: number
  /** The server's WebSocket URL. */
  url: string
  site: TestSite
}

/** Starts a server that serves a test site. */
async function startStage(
  t: TestContext,
  options: Pick<StartServerOptions, 'authenticate' | 'limits'> = {},
): Promise<Stage> {
  const site = await makeTestSite(t)
  const { port, url } = await startServer(t, { ...options, staticDirectory: site.directory })
  return { port, url, site }
}

/** Options of `openEditor`. */
interface OpenOptions {
  /** Backs the element's getToken. */
  issueToken?: () => Promise<string>
  /** Set up before the page loads, e.g. a WebSocket route. */
  prepare?: (person: Person) => Promise<void>
}

/** Opens a person's page (`<name>.html` on the stage's site) with an editor. */
async function openEditor(
  session: BrowserSession,
  { port, site }: Stage,
  name: string,
  attributes: Attributes,
  { issueToken, prepare }: OpenOptions = {},
): Promise<Person> {
  await site.addPage(name, editorPage(attributes, issueToken !== undefined))
  const person = await session.open('about:blank')
  if (issueToken) await person.page.exposeFunction('issueToken', issueToken)
  await prepare?.(person)
  await person.page.goto(`http://127.0.0.1:${port}/${name}.html`)
  return person
}

/** Records the close code of every connection of the page's editor, in `window.closeCodes`. */
async function recordCloseCodes(page: Page): Promise<void> {
  await page.waitForFunction("document.querySelector('collab-editor').editor !== undefined")
  await page.evaluate(`{
    window.closeCodes = []
    document.querySelector('collab-editor').editor.provider.on('connection-close', (event) =>
      window.closeCodes.push(event?.code ?? null))
  }`)
}

/** The problem notice's text, or null while it is hidden. */
function problemText(page: Page): Promise<string | null> {
  return page.evaluate(`(() => {
    const editor = document.querySelector('collab-editor').shadowRoot
    const notice = editor.querySelector('.collab-editor-problem')
    return notice.hidden ? null : notice.textContent
  })()`)
}

/**
 * Routes the person's WebSockets through the test: pass-through, except that `refuseNextUpdate`
 * makes the next document update from the page go unsent, and closes the page's socket with
 * `code` instead, as the server does when it refuses an update. Records what it forwarded.
 */
async function routeRefusals(person: Person): Promise<{
  /** When each connection opened, and when the refusal closed one (Unix ms). */
  connectedAtMs: number[]
  /** Every frame the page sent that reached the server. */
  forwarded: Array<string | Buffer>
  refusedAtMs(): number | undefined
  refuseNextUpdate(code: number, reason: string): void
}> {
  const connectedAtMs: number[] = []
  const forwarded: Array<string | Buffer> = []
  let refusedAtMs: number | undefined
  let refusal: { code: number; reason: string } | undefined
  await person.context.routeWebSocket(/.*/, (socket: WebSocketRoute) => {
    connectedAtMs.push(Date.now())
    const server = socket.connectToServer()
    socket.onMessage((message) => {
      // A sync message (0) carrying an update (2), as y-protocols/sync writes it.
      const isUpdate = typeof message !== 'string' && message[0] === 0 && message[1] === 2
      if (refusal && isUpdate) {
        const { code, reason } = refusal
        refusal = undefined
        refusedAtMs = Date.now()
        void socket.close({ code, reason })
        return
      }
      forwarded.push(message)
      server.send(message)
    })
  })
  return {
    connectedAtMs,
    forwarded,
    refusedAtMs: () => refusedAtMs,
    refuseNextUpdate: (code, reason) => (refusal = { code, reason }),
  }
}

browserTest(
  'a read-only user sees live changes, cannot type, has no toolbar and is shown "View only"',
  async (t, session) => {
    const { authenticate } = tokenAuthenticator({
      'ann-token': { userId: 'ann', access: 'write' },
      'viv-token': { userId: 'viv', access: 'read' },
    })
    const stage = await startStage(t, { authenticate })
    const ann = await openEditor(session, stage, 'ann', {
      document: 'watched',
      'user-name': 'Ann',
      token: 'ann-token',
    })
    const viv = await openEditor(session, stage, 'viv', {
      document: 'watched',
      'user-name': 'Viv',
      token: 'viv-token',
      'read-only': true,
    })
    await Promise.all([waitSynced(ann.page), waitSynced(viv.page)])
    await viv.page.waitForSelector('collab-editor[view-only] .collab-editor[data-view-only]')
    assert.equal(await viv.page.locator('.collab-editor-toolbar').count(), 0)
    assert.equal(await viv.page.locator('.collab-editor-view-only').textContent(), 'View only')
    assert.ok(await viv.page.locator('.collab-editor-view-only').isVisible())
    assert.equal(await ann.page.locator('.collab-editor-view-only').isVisible(), false)

    await ann.page.locator('.ProseMirror').click()
    await ann.page.keyboard.type('Live from Ann')
    await waitForText(viv.page, 'Live from Ann')

    await viv.page.locator('.ProseMirror').click()
    await viv.page.keyboard.type('Viv was here')
    await viv.page.keyboard.press('Enter')
    await viv.page.keyboard.press('Control+z')
    // The keystrokes have been handled once `type` returns: an editable page would show them.
    assert.equal(await editorText(viv.page), 'Live from Ann')
    await ann.page.keyboard.type(', still live')
    await waitForText(viv.page, 'Live from Ann, still live')
    assert.equal(await editorText(ann.page), 'Live from Ann, still live')
    await ann.page.locator('.collab-presence-user', { hasText: 'Viv' }).waitFor()
    await saveScreenshot(viv.page, 'view-only')
  },
)

browserTest(
  'an editor the server calls read-only takes back what was typed and turns view-only',
  async (t, session) => {
    const { authenticate } = tokenAuthenticator({
      'ann-token': { userId: 'ann', access: 'write' },
      'viv-token': { userId: 'viv', access: 'read' },
    })
    const stage = await startStage(t, { authenticate })
    const ann = await openEditor(session, stage, 'ann', {
      document: 'told',
      'user-name': 'Ann',
      token: 'ann-token',
    })
    await waitSynced(ann.page)
    await ann.page.locator('.ProseMirror').click()
    await ann.page.keyboard.type('Written by Ann')
    // Viv's page does not know she may only read: her token's claims are the server's business.
    const viv = await openEditor(session, stage, 'viv', {
      document: 'told',
      'user-name': 'Viv',
      token: 'viv-token',
    })
    await waitForText(viv.page, 'Written by Ann')
    await viv.page.locator('.collab-editor-toolbar').waitFor()
    await placeCaretAtEndOf(viv.page, 0)
    await viv.page.keyboard.type('!')

    await viv.page.waitForSelector('collab-editor[view-only]')
    await waitForText(viv.page, 'Written by Ann')
    assert.equal(
      await viv.page.locator('.collab-editor-status').textContent(),
      'Not saved: you can only read this document',
    )
    assert.equal(await viv.page.locator('collab-editor').getAttribute('save-state'), 'error')
    assert.equal(await viv.page.locator('.collab-editor-toolbar').count(), 0)
    assert.ok(await viv.page.locator('.collab-editor-view-only').isVisible())
    assert.equal(
      await viv.page.evaluate("document.querySelector('collab-editor').editor.isReadOnly"),
      true,
    )
    await viv.page.keyboard.type('?')
    await ann.page.keyboard.type(', read by Viv')
    await waitForText(viv.page, 'Written by Ann, read by Viv')
    assert.equal(await editorText(ann.page), 'Written by Ann, read by Viv')
  },
)

browserTest(
  'getToken is asked again after a 4401 and the editor reconnects with its unsent edits',
  async (t, session) => {
    const { authenticate, seen } = tokenAuthenticator({
      'short-token': { userId: 'ann', access: 'write', lifetimeMs: 3_000 },
      'fresh-token': { userId: 'ann', access: 'write' },
      'bob-token': { userId: 'bob', access: 'write' },
    })
    const stage = await startStage(t, { authenticate })
    let renew: ((token: string) => void) | undefined
    let tokenRequests = 0
    const issueToken = (): Promise<string> => {
      tokenRequests++
      if (tokenRequests === 1) return Promise.resolve('short-token')
      return new Promise((resolve) => (renew = resolve))
    }
    const ann = await openEditor(
      session,
      stage,
      'ann',
      { document: 'renewed', 'user-name': 'Ann' },
      { issueToken },
    )
    await waitSynced(ann.page)
    await recordCloseCodes(ann.page)
    await ann.page.locator('.ProseMirror').click()
    await ann.page.keyboard.type('before the expiry')

    // The server closes the connection when the short token expires; the editor asks for a
    // new one and, until it has it, stays offline.
    await until(() => tokenRequests === 2, { what: 'getToken to be called again' })
    await ann.page.waitForSelector('collab-editor[status="offline"]')
    assert.deepEqual(await ann.page.evaluate('window.closeCodes'), [4401])
    await ann.page.keyboard.type(', typed while renewing')
    // Without getToken the provider would have retried after 200 ms, 400 ms, 800 ms.
    await delay(1_500)
    assert.deepEqual(seen, ['short-token'], 'no connection attempt before the new token')
    assert.equal(await problemText(ann.page), null)

    renew?.('fresh-token')
    await ann.page.waitForSelector('collab-editor[status="connected"][synced]')
    assert.deepEqual(seen, ['short-token', 'fresh-token'])
    const bob = await openEditor(session, stage, 'bob', {
      document: 'renewed',
      'user-name': 'Bob',
      token: 'bob-token',
    })
    await waitForText(bob.page, 'before the expiry, typed while renewing')
  },
)

browserTest(
  'without getToken a 4401 says the session expired and the editor stops reconnecting',
  async (t, session) => {
    const { authenticate, seen } = tokenAuthenticator({
      'short-token': { userId: 'ann', access: 'write', lifetimeMs: 1_000 },
    })
    const stage = await startStage(t, { authenticate })
    const ann = await openEditor(session, stage, 'ann', {
      document: 'expired',
      'user-name': 'Ann',
      token: 'short-token',
    })
    await ann.page.waitForSelector('collab-editor[problem="session-expired"][status="offline"]')
    assert.equal(await problemText(ann.page), 'Your session expired; reload to continue')
    // A reconnecting editor would have tried three times by now (200, 400, 800 ms).
    await delay(1_500)
    assert.deepEqual(seen, ['short-token'])
  },
)

browserTest(
  'a 4403 says the user no longer has access, and the editor stops reconnecting',
  async (t, session) => {
    const { authenticate, seen } = tokenAuthenticator({
      'ann-token': { userId: 'ann', access: 'write' },
      'admin-token': { userId: 'admin', access: 'read', isAdmin: true },
    })
    const stage = await startStage(t, { authenticate })
    const ann = await openEditor(session, stage, 'ann', {
      document: 'revoked',
      'user-name': 'Ann',
      token: 'ann-token',
    })
    await waitSynced(ann.page)
    await ann.page.locator('.ProseMirror').click()
    await ann.page.keyboard.type('Notes by Ann')

    const response = await fetch(`http://127.0.0.1:${stage.port}/api/admin/revocations`, {
      method: 'POST',
      headers: { authorization: 'Bearer admin-token', 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'ann' }),
    })
    assert.equal(response.status, 201)
    await ann.page.waitForSelector('collab-editor[problem="forbidden"][status="offline"]')
    assert.equal(await problemText(ann.page), 'You no longer have access to this document')
    assert.equal(
      await ann.page.locator('.collab-editor-status').textContent(),
      'Not saved: you no longer have access to this document',
    )
    assert.equal(await ann.page.locator('.collab-editor-toolbar').count(), 0)
    // A reconnecting editor would have tried three times by now (200, 400, 800 ms).
    await delay(1_500)
    assert.deepEqual(seen, ['ann-token', 'admin-token'])
    await ann.page.keyboard.type(' and more')
    assert.equal(await editorText(ann.page), 'Notes by Ann')
    await saveScreenshot(ann.page, 'access-revoked')
  },
)

browserTest(
  'a 4413 takes back the change that was too large, says so, and editing goes on',
  async (t, session) => {
    const stage = await startStage(t, { limits: { maxDocumentBytes: 4096 } })
    let route: Awaited<ReturnType<typeof routeRefusals>> | undefined
    const ann = await openEditor(
      session,
      stage,
      'ann',
      { document: 'full', 'user-name': 'Ann' },
      { prepare: async (person) => void (route = await routeRefusals(person)) },
    )
    const bob = await openEditor(session, stage, 'bob', { document: 'full', 'user-name': 'Bob' })
    await Promise.all([waitSynced(ann.page), waitSynced(bob.page)])
    await ann.page.locator('.ProseMirror').click()
    await ann.page.keyboard.type('Saved text')
    await waitForText(bob.page, 'Saved text')

    // One transaction of 6000 characters: the server's limit is 4 KiB.
    await ann.page.keyboard.insertText(` PASTE${'x'.repeat(6000)}`)
    await ann.page.waitForSelector('collab-editor[problem="document-too-large"]')
    assert.equal(
      await problemText(ann.page),
      'This document has reached its size limit; your last change was not saved',
    )
    await waitForText(ann.page, 'Saved text')
    await ann.page.waitForSelector('collab-editor[status="connected"][synced]')
    assert.equal(
      await problemText(ann.page),
      'This document has reached its size limit; your last change was not saved',
    )
    assert.equal(
      await ann.page.locator('.collab-editor-status').textContent(),
      'Not saved: the document has reached its size limit',
    )
    await saveScreenshot(ann.page, 'document-too-large')

    await placeCaretAtEndOf(ann.page, 0)
    await ann.page.keyboard.type(', then more')
    await ann.page.waitForSelector('collab-editor:not([problem])')
    await Promise.all([
      waitForText(bob.page, 'Saved text, then more'),
      waitForText(ann.page, 'Saved text, then more'),
    ])
    await ann.page.waitForSelector('collab-editor[save-state="saved"]')
    assert.equal(route?.connectedAtMs.length, 2)
    // The reconnection's sync step 2 carried the taken-back change only as deleted, collected
    // content: its text went to the server once, in the refused update.
    const sentPaste = route?.forwarded.filter((frame) => frame.includes('PASTExxx'))
    assert.equal(sentPaste?.length, 1)
  },
)

browserTest(
  'a 4429 says there were too many changes, reconnects after a pause and sends them',
  async (t, session) => {
    const stage = await startStage(t)
    let route: Awaited<ReturnType<typeof routeRefusals>> | undefined
    const ann = await openEditor(
      session,
      stage,
      'ann',
      { document: 'busy', 'user-name': 'Ann' },
      { prepare: async (person) => void (route = await routeRefusals(person)) },
    )
    const bob = await openEditor(session, stage, 'bob', { document: 'busy', 'user-name': 'Bob' })
    await Promise.all([waitSynced(ann.page), waitSynced(bob.page)])
    await recordCloseCodes(ann.page)
    await ann.page.locator('.ProseMirror').click()
    route?.refuseNextUpdate(4429, 'too many messages')
    await ann.page.keyboard.type('Fast typing')

    await ann.page.waitForSelector('collab-editor[problem="rate-limited"]')
    assert.equal(await problemText(ann.page), 'Too many changes at once; reconnecting…')
    await ann.page.waitForSelector('collab-editor[status="connected"][synced]:not([problem])')
    const [, reconnectedAtMs = 0] = route?.connectedAtMs ?? []
    // 1 s, against 200 ms after other closes (timers may fire a little early in the page).
    assert.ok(reconnectedAtMs - (route?.refusedAtMs() ?? 0) >= 900, 'waited a second to reconnect')
    await waitForText(bob.page, 'Fast typing')
    assert.deepEqual(await ann.page.evaluate('window.closeCodes'), [4429])
  },
)
