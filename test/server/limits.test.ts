import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { type TestContext, test } from 'node:test'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { connectionsWithinOpenFiles, readOpenFileLimit } from '../../cli/open-file-limit.js'
import { ConfigError, parseCommandLine } from '../../cli/config.js'
import { writeAwarenessUpdate } from '../../protocol/awareness-codec.js'
import { CloseCode } from '../../protocol/close-codes.js'
import { CollabError } from '../../protocol/collab-error.js'
import { writeAwareness, writeSyncStep1, writeSyncUpdate } from '../../protocol/message.js'
import type { DocStore } from '../../persistence/store.js'
import { type Authenticate, allowEveryone } from '../../server/index.js'
import { TrustedProxies } from '../../server/limits/client-address.js'
import { FrameBudget } from '../../server/limits/frame-budget.js'
import { TokenBucket } from '../../server/limits/token-bucket.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { connectProvider, openRawClient, waitSynced } from '../helpers/client.js'
import { getJson, requestUpgrade } from '../helpers/http.js'
import { startServer } from '../helpers/start-server.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

/** Opens a WebSocket to a room with extra request headers (X-Forwarded-For) and waits for it. */
async function openWithHeaders(
  t: TestContext,
  url: string,
  room: string,
  headers: Record<string, string> = {},
): Promise<WebSocket> {
  const socket = new WebSocket(`${url}/${room}`, { headers })
  deferCleanup(t, () => socket.terminate())
  await once(socket, 'open')
  return socket
}

/** An authenticator that lets everyone in and records the address each request came from. */
function recordingAddresses(): { authenticate: Authenticate; seen: Array<string | undefined> } {
  const seen: Array<string | undefined> = []
  return {
    seen,
    authenticate: (request) => {
      seen.push(request.remoteAddress)
      return allowEveryone(request)
    },
  }
}

/** The text of a stored document, as a fresh load would see it. */
async function storedText(store: DocStore, room: string): Promise<string> {
  const stored = await store.load(room)
  const doc = new Y.Doc()
  if (stored.compacted) Y.applyUpdate(doc, stored.compacted.update)
  for (const update of stored.log) Y.applyUpdate(doc, update)
  const text = doc.getText('text').toString()
  doc.destroy()
  return text
}

/** Every update a local document makes, one per transaction, as a stock client would send it. */
function updatesOf(edit: (text: Y.Text) => void): Uint8Array[] {
  const doc = new Y.Doc()
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  edit(doc.getText('text'))
  doc.destroy()
  return updates
}

const isRateLimited = (error: unknown): boolean =>
  error instanceof CollabError && error.closeCode === CloseCode.rateLimited

test('a token bucket spends its burst at once, then only what its rate refills', () => {
  // 1,000 per second: one token per millisecond.
  const bucket = new TokenBucket(1_000, 20, 0)
  for (let i = 0; i < 20; i++) assert.ok(bucket.take(1, 0))
  assert.equal(bucket.take(1, 0), false)
  assert.equal(bucket.take(1, 0.5), false)
  assert.ok(bucket.take(1, 1))
  assert.ok(bucket.take(20, 60_000), 'refilled, but never past its capacity')
  assert.equal(bucket.take(1, 60_000), false)
})

test('awareness echoes are paid from the credit of what was sent, then charged as originated', () => {
  // One message per second: a burst of ten, and so an echo credit of at most ten frames.
  const budget = new FrameBudget(
    { maxMessagesPerSecond: 1, maxBytesPerSecond: 0, maxFrameBytes: 1024 },
    0,
  )
  for (let i = 0; i < 20; i++) budget.creditEcho(100)
  for (let i = 0; i < 10; i++) budget.chargeEcho(100, 0)
  for (let i = 0; i < 10; i++) budget.chargeEcho(100, 0)
  assert.throws(() => budget.chargeEcho(100, 0), isRateLimited)
})

test('the client address is the right-most untrusted X-Forwarded-For hop behind a trusted proxy', () => {
  const none = new TrustedProxies([])
  assert.equal(none.clientAddress('127.0.0.1', '203.0.113.9'), '127.0.0.1', 'ignored by default')
  assert.equal(none.clientAddress('::ffff:192.0.2.1', undefined), '192.0.2.1')

  const proxies = new TrustedProxies(['127.0.0.1/32', '10.0.0.0/8', '::1/128', 'fd00::/8'])
  assert.equal(proxies.clientAddress('127.0.0.1', undefined), '127.0.0.1')
  assert.equal(proxies.clientAddress('127.0.0.1', '203.0.113.9'), '203.0.113.9')
  assert.equal(proxies.clientAddress('::ffff:127.0.0.1', '203.0.113.9'), '203.0.113.9')
  assert.equal(
    proxies.clientAddress('127.0.0.1', '198.51.100.1, 203.0.113.9, 10.1.2.3'),
    '203.0.113.9',
    'what the client wrote itself, left of the untrusted hop, does not count',
  )
  assert.equal(proxies.clientAddress('::1', '[2001:DB8::7]:4711, fd00::1'), '2001:db8::7')
  assert.equal(proxies.clientAddress('127.0.0.1', '203.0.113.9:4711'), '203.0.113.9')
  assert.equal(proxies.clientAddress('127.0.0.1', '10.0.0.1, 10.0.0.2'), '10.0.0.1')
  assert.equal(proxies.clientAddress('127.0.0.1', 'junk, 10.0.0.2'), '10.0.0.2')
  assert.equal(
    proxies.clientAddress('192.0.2.1', '203.0.113.9'),
    '192.0.2.1',
    'an untrusted peer cannot name another address',
  )
  for (const bad of ['10.0.0.0/33', '::1/129', 'localhost', '10.0.0.0/8/8', '10.0.0.0/x', '']) {
    assert.throws(() => new TrustedProxies([bad]), RangeError, bad)
  }
})

test('the limit flags take sizes, counts and 0 for off, and --trust-proxy checks every range', () => {
  const print = (): void => undefined
  const parsed = parseCommandLine(
    [
      '--max-connections-per-ip',
      '0',
      '--max-messages-per-second',
      '0',
      '--max-bytes-per-second',
      '512KiB',
      '--max-document-bytes',
      '1MiB',
      '--max-open-documents',
      '50',
      '--handshake-timeout-ms',
      '2500',
      '--trust-proxy',
      '127.0.0.1/32,10.0.0.0/8,::1/128',
    ],
    print,
    Infinity,
  )
  assert.equal(parsed.kind, 'run')
  if (parsed.kind !== 'run') return
  const { limits, trustedProxies } = parsed.config
  assert.equal(limits.maxConnectionsPerIp, 0)
  assert.equal(limits.maxMessagesPerSecond, 0)
  assert.equal(limits.maxBytesPerSecond, 512 * 1024)
  assert.equal(limits.maxDocumentBytes, 1024 * 1024)
  assert.equal(limits.maxOpenDocuments, 50)
  assert.equal(limits.handshakeTimeoutMs, 2500)
  assert.deepEqual(trustedProxies, ['127.0.0.1/32', '10.0.0.0/8', '::1/128'])

  assert.throws(
    () => parseCommandLine(['--trust-proxy', '10.0.0.0/8,10.0.0.0/33'], print, Infinity),
    (error: unknown) => error instanceof ConfigError && /10\.0\.0\.0\/33/.test(error.message),
  )
  for (const args of [
    ['--max-document-bytes', '0'],
    ['--max-connections', '0'],
  ]) {
    assert.throws(() => parseCommandLine(args, print, Infinity), ConfigError, args.join(' '))
  }
})

test('--max-connections stays below the open-file limit unless it is set', () => {
  const print = (): void => undefined
  const maxConnections = (args: string[], openFileLimit: number): number => {
    const parsed = parseCommandLine(args, print, openFileLimit)
    assert.equal(parsed.kind, 'run')
    return parsed.kind === 'run' ? parsed.config.limits.maxConnections : 0
  }
  assert.equal(maxConnections([], Infinity), 10_000, 'unlimited')
  assert.equal(maxConnections([], 1_048_576), 10_000)
  assert.equal(maxConnections([], 4_096), 4_096 - 1_100)
  assert.equal(maxConnections(['--max-connections', '5000'], 4_096), 5_000, 'as set')
  assert.equal(connectionsWithinOpenFiles(10_000, 1_024), 512, 'half of a small limit')
  assert.equal(connectionsWithinOpenFiles(10_000, undefined), 10_000, 'not known')
  if (process.platform === 'linux') {
    const limit = readOpenFileLimit()
    assert.ok(limit !== undefined && limit > 0, `read the open-file limit: ${limit}`)
  }
})

test('past --max-connections an upgrade gets 429, and /healthz still answers', async (t) => {
  const server = await startServer(t, { limits: { maxConnections: 2 } })
  const first = await openRawClient(t, server.url, 'one')
  await openRawClient(t, server.url, 'two')

  const refused = await requestUpgrade(server.port, '/three')
  assert.equal(refused.status, 429)
  assert.equal(refused.body.error, 'COLLAB_TOO_MANY_CONNECTIONS')
  assert.match(String(refused.body.reason), /limit of 2 connections/)
  const health = await getJson(server.port, '/healthz')
  assert.equal(health.status, 200)
  assert.equal(health.body.connections, 2)

  first.socket.close()
  await first.closed
  await until(() => server.server.stats().connections === 1, { what: 'the close to be seen' })
  await openRawClient(t, server.url, 'three')
})

test('--max-connections-per-ip counts the socket address, whatever X-Forwarded-For says', async (t) => {
  const { authenticate, seen } = recordingAddresses()
  const server = await startServer(t, { limits: { maxConnectionsPerIp: 2 }, authenticate })
  await openWithHeaders(t, server.url, 'a', { 'X-Forwarded-For': '203.0.113.1' })
  await openWithHeaders(t, server.url, 'b', { 'X-Forwarded-For': '203.0.113.2' })

  const refused = await requestUpgrade(server.port, '/c', { 'X-Forwarded-For': '203.0.113.3' })
  assert.equal(refused.status, 429)
  assert.equal(refused.body.error, 'COLLAB_TOO_MANY_CONNECTIONS')
  assert.match(String(refused.body.reason), /127\.0\.0\.1 has reached its limit of 2 connections/)
  assert.deepEqual(seen, ['127.0.0.1', '127.0.0.1'], 'the refused one cost no authentication')
})

test('behind a trusted proxy the per-IP limit counts the forwarded client address', async (t) => {
  const { authenticate, seen } = recordingAddresses()
  const server = await startServer(t, {
    limits: { maxConnectionsPerIp: 2 },
    trustedProxies: ['127.0.0.1/32', '10.0.0.0/8'],
    authenticate,
  })
  // The client may write anything left of the address the proxy saw: it does not count.
  await openWithHeaders(t, server.url, 'a', { 'X-Forwarded-For': '198.51.100.1, 203.0.113.7' })
  await openWithHeaders(t, server.url, 'b', {
    'X-Forwarded-For': '198.51.100.2, 203.0.113.7, 10.0.0.3',
  })
  const refused = await requestUpgrade(server.port, '/c', { 'X-Forwarded-For': '203.0.113.7' })
  assert.equal(refused.status, 429)
  assert.match(String(refused.body.reason), /203\.0\.113\.7 has reached its limit/)

  await openWithHeaders(t, server.url, 'd', { 'X-Forwarded-For': '203.0.113.8' })
  await openWithHeaders(t, server.url, 'e')
  assert.deepEqual(seen, ['203.0.113.7', '203.0.113.7', '203.0.113.8', '127.0.0.1'])
})

test('past --max-open-documents a document not open gets 503, and open ones still accept', async (t) => {
  const server = await startServer(t, { limits: { maxOpenDocuments: 1, unloadGraceMs: 60_000 } })
  const first = await openRawClient(t, server.url, 'open')
  const refused = await requestUpgrade(server.port, '/another')
  assert.equal(refused.status, 503)
  assert.equal(refused.body.error, 'COLLAB_TOO_MANY_DOCUMENTS')
  assert.match(String(refused.body.reason), /limit of 1 open documents/)

  const second = await openRawClient(t, server.url, 'open')
  first.socket.close()
  second.socket.close()
  await Promise.all([first.closed, second.closed])
  await until(() => server.server.stats().connections === 0, { what: 'the closes to be seen' })
  assert.equal(server.server.stats().documents, 1, 'the document waits out its unload grace')
  await openRawClient(t, server.url, 'open')
  assert.equal((await requestUpgrade(server.port, '/another')).status, 503)
})

test('a connection flooding updates is closed with 4429 while the others keep editing', async (t) => {
  const server = await startServer(t, { limits: { maxMessagesPerSecond: 20 } })
  const editor = connectProvider(t, server.url, 'flooded')
  const observer = connectProvider(t, server.url, 'flooded')
  await Promise.all([waitSynced(editor), waitSynced(observer)])

  // 1,000 one-character transactions: five times the burst of 200 frames.
  const flooder = await openRawClient(t, server.url, 'flooded')
  const flood = updatesOf((text) => {
    for (let i = 0; i < 1_000; i++) text.insert(0, 'x')
  })
  for (const update of flood) flooder.socket.send(writeSyncUpdate(update))
  const closed = await flooder.closed
  assert.equal(closed.code, 4429)
  assert.match(closed.reason, /more than 20 messages per second/)

  const text = editor.doc.getText('text')
  text.insert(text.length, 'still editing')
  await until(() => observer.doc.getText('text').toString().endsWith('still editing'), {
    what: 'the edit to reach the observer',
  })
  assert.ok(editor.wsconnected && observer.wsconnected)
})

test('a connection sending more bytes per second than allowed is closed with 4429', async (t) => {
  // A burst of ten seconds' worth: 640 KiB.
  const server = await startServer(t, {
    limits: { maxBytesPerSecond: 64 * 1024, maxFrameBytes: 64 * 1024 },
  })
  const sender = await openRawClient(t, server.url, 'bytes')
  const updates = updatesOf((text) => {
    for (let i = 0; i < 100; i++) text.insert(0, 'y'.repeat(10_000))
  })
  for (const update of updates) sender.socket.send(writeSyncUpdate(update))
  const closed = await sender.closed
  assert.equal(closed.code, 4429)
  assert.match(closed.reason, /more than 65536 bytes per second/)
})

test('awareness echoes do not count: stock providers in a room flooded with presence stay', async (t) => {
  const server = await startServer(t, { limits: { maxMessagesPerSecond: 20 } })
  const echoer = connectProvider(t, server.url, 'presence-flood')
  const observer = connectProvider(t, server.url, 'presence-flood')
  await Promise.all([waitSynced(echoer), waitSynced(observer)])
  // Each awareness update a stock provider receives, it sends back.
  let echoes = 0
  echoer.awareness.on('update', () => echoes++)
  // The echoer's own edits use most of its burst of 200 frames, so counting its echoes would
  // close it well before the flooder.
  const text = echoer.doc.getText('text')
  for (let i = 0; i < 150; i++) text.insert(0, 'e')

  const ghost = 424242
  const flooder = await openRawClient(t, server.url, 'presence-flood')
  let isFlooderClosed = false
  void flooder.closed.then(() => (isFlooderClosed = true))
  // One change at a time, each relayed (and echoed) on its own.
  for (let clock = 1; clock <= 1_000 && !isFlooderClosed; clock++) {
    const stateJson = JSON.stringify({ cursor: clock })
    flooder.socket.send(
      writeAwareness(writeAwarenessUpdate([{ clientId: ghost, clock, stateJson }])),
    )
    await until(() => isFlooderClosed || echoer.awareness.meta.get(ghost)?.clock === clock, {
      intervalMs: 1,
      what: `the echoer to receive change ${clock}`,
    })
  }
  const closed = await flooder.closed
  assert.equal(closed.code, 4429)
  assert.ok(echoes >= 200, `the echoer sent back ${echoes} awareness updates`)
  assert.ok(echoer.wsconnected && observer.wsconnected, 'the echoing providers stay connected')

  text.insert(0, 'still here ')
  await until(() => observer.doc.getText('text').toString().startsWith('still here '), {
    what: 'the echoer to keep editing',
  })
})

test('awareness that changes nothing is free only as often as the server sent some', async (t) => {
  const server = await startServer(t, { limits: { maxMessagesPerSecond: 20 } })
  const replayer = await openRawClient(t, server.url, 'replayed')
  const frame = writeAwareness(writeAwarenessUpdate([{ clientId: 7, clock: 1, stateJson: '{}' }]))
  for (let i = 0; i < 1_000; i++) replayer.socket.send(frame)
  const closed = await replayer.closed
  assert.equal(closed.code, 4429)
  assert.match(closed.reason, /messages per second/)
})

test('an update that would grow the document past --max-document-bytes closes its sender with 4413', async (t) => {
  const dataDirectory = await makeTempDir(t)
  const room = 'bounded'
  const server = await startServer(t, { dataDirectory, limits: { maxDocumentBytes: 4096 } })
  const editor = connectProvider(t, server.url, room)
  const observer = connectProvider(t, server.url, room)
  await Promise.all([waitSynced(editor), waitSynced(observer)])
  const text = editor.doc.getText('text')
  text.insert(0, 'accepted')
  await until(() => observer.doc.getText('text').toString() === 'accepted', {
    what: 'the first edit to reach the observer',
  })

  const writer = await openRawClient(t, server.url, room)
  const [tooLarge] = updatesOf((own) => own.insert(0, 'x'.repeat(8_000)))
  writer.socket.send(writeSyncUpdate(tooLarge!))
  const closed = await writer.closed
  assert.equal(closed.code, 4413)
  assert.match(closed.reason, /4096-byte limit/)

  text.insert(text.length, ' and more')
  await until(() => observer.doc.getText('text').toString() === 'accepted and more', {
    what: 'the others to keep editing',
  })
  assert.ok(editor.wsconnected && observer.wsconnected)
  await server.events.waitFor('updateStored', room, 2)
  assert.equal(server.events.count('updateStored', room), 2, 'the refused update was not stored')
  assert.equal(await storedText(server.store, room), 'accepted and more')

  editor.destroy()
  observer.destroy()
  await server.stop()
  const reloaded = await startServer(t, { dataDirectory })
  const fresh = connectProvider(t, reloaded.url, room)
  await waitSynced(fresh)
  assert.equal(fresh.doc.getText('text').toString(), 'accepted and more')
})

test('the document size is counted exactly before refusing: deleted content and repeats are not counted', async (t) => {
  const room = 'recounted'
  const server = await startServer(t, { limits: { maxDocumentBytes: 4096 } })
  const editor = connectProvider(t, server.url, room)
  const observer = connectProvider(t, server.url, room)
  await Promise.all([waitSynced(editor), waitSynced(observer)])
  const text = editor.doc.getText('text')
  const observed = (expected: string) =>
    until(() => observer.doc.getText('text').toString() === expected, {
      what: `the observer to hold ${expected.length} characters`,
    })
  // The bytes written (two inserts of 3,000 characters) pass the limit, the document does not.
  text.insert(0, 'a'.repeat(3_000))
  await observed('a'.repeat(3_000))
  text.delete(0, 3_000)
  await observed('')
  text.insert(0, 'b'.repeat(3_000))
  await observed('b'.repeat(3_000))
  assert.ok(editor.wsconnected, 'the second insert was accepted')

  // Sending again what the document holds (as a client that reconnects does) does not count.
  const repeater = await openRawClient(t, server.url, room)
  repeater.socket.send(writeSyncUpdate(Y.encodeStateAsUpdate(editor.doc)))
  repeater.frames.length = 0
  repeater.socket.send(writeSyncStep1(Uint8Array.of(0)))
  await until(() => repeater.frames.length > 0, { what: 'a sync answer after the repeat' })
  const [tooLarge] = updatesOf((own) => own.insert(0, 'c'.repeat(2_000)))
  repeater.socket.send(writeSyncUpdate(tooLarge!))
  assert.equal((await repeater.closed).code, 4413)
})

test('a request whose headers do not arrive within --handshake-timeout-ms is dropped', async (t) => {
  const server = await startServer(t, { limits: { handshakeTimeoutMs: 300 } })
  const socket = connect(server.port, '127.0.0.1')
  deferCleanup(t, () => socket.destroy())
  let received = ''
  let isClosed = false
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')))
  socket.on('close', () => (isClosed = true))
  await once(socket, 'connect')
  const startedAtMs = performance.now()
  // Half a request: the request line and one header, never the blank line that ends them.
  socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n')
  await until(() => isClosed, { timeoutMs: 5_000, what: 'the server to drop the socket' })
  const elapsedMs = performance.now() - startedAtMs
  assert.ok(elapsedMs >= 250, `dropped after ${elapsedMs} ms, not before the timeout`)
  assert.match(received, /^HTTP\/1\.1 408/)
  assert.equal((await getJson(server.port, '/healthz')).status, 200)
})

test('an upgrade whose authentication outlasts --handshake-timeout-ms is dropped', async (t) => {
  let letThrough!: () => void
  const gate = new Promise<void>((resolve) => (letThrough = resolve))
  const server = await startServer(t, {
    limits: { handshakeTimeoutMs: 300 },
    authenticate: async (request) => {
      await gate
      return allowEveryone(request)
    },
  })
  deferCleanup(t, () => letThrough())
  await assert.rejects(requestUpgrade(server.port, '/slow'), /socket hang up|ECONNRESET/)
  letThrough()
  await until(
    () => server.server.stats().documents === 0 && server.server.stats().connections === 0,
    {
      what: 'the late upgrade to leave nothing behind',
    },
  )
})
