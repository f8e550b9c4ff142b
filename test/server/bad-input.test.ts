import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { writeAwarenessUpdate } from '../../protocol/awareness-codec.js'
import { writeAwareness, writeSyncStep1, writeSyncUpdate } from '../../protocol/message.js'
import { connectProvider, openRawClient, waitSynced } from '../helpers/client.js'
import { getJson, requestUpgrade } from '../helpers/http.js'
import { startServer, type TestServer } from '../helpers/start-server.js'
import { until } from '../helpers/until.js'

const room = 'bad-input'

/** Two stock providers editing one room, with some text already in it. */
async function startEditedRoom(t: TestContext, server: TestServer) {
  const a = connectProvider(t, server.url, room)
  const b = connectProvider(t, server.url, room)
  await Promise.all([waitSynced(a), waitSynced(b)])
  a.doc.getText('text').insert(0, 'before')
  await until(() => b.doc.getText('text').toString() === 'before', {
    what: 'b to get the first edit',
  })
  return { a, b }
}

/**
 * Checks what every bad-input case must leave behind: both providers still edit, the process
 * still answers, and a fresh client loads exactly the legitimate edits.
 */
async function assertRoomUnharmed(
  t: TestContext,
  server: TestServer,
  { a, b }: Awaited<ReturnType<typeof startEditedRoom>>,
) {
  b.doc.getText('text').insert(6, ' after')
  await until(() => a.doc.getText('text').toString() === 'before after', {
    what: 'the room to keep relaying',
  })
  const health = await getJson(server.port, '/healthz')
  assert.equal(health.status, 200)
  const fresh = connectProvider(t, server.url, room)
  await waitSynced(fresh)
  assert.equal(fresh.doc.getText('text').toString(), 'before after')
}

const malformedFrames: Array<{
  name: string
  frame: Uint8Array | string
  code: number
  reason: RegExp
}> = [
  { name: 'a text frame', frame: 'hello', code: 1003, reason: /text frames are not supported/ },
  {
    name: 'an unknown message type',
    frame: Uint8Array.of(42),
    code: 1003,
    reason: /unknown message type 42/,
  },
  { name: 'an auth message', frame: Uint8Array.of(2, 0), code: 1003, reason: /auth messages/ },
  { name: 'an empty frame', frame: new Uint8Array(), code: 1002, reason: /missing message type/ },
  {
    name: 'a truncated varint',
    frame: Uint8Array.of(0x80, 0x80),
    code: 1002,
    reason: /truncated or oversized varint/,
  },
  {
    name: 'an unknown sync step',
    frame: Uint8Array.of(0, 7, 0),
    code: 1002,
    reason: /unknown sync step 7/,
  },
  {
    name: 'a payload longer than its frame',
    frame: Uint8Array.of(0, 2, 50, 1),
    code: 1002,
    reason: /declares 50 bytes/,
  },
  {
    name: 'garbage as an update',
    frame: writeSyncUpdate(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)),
    code: 1007,
    reason: /malformed Yjs update/,
  },
  {
    name: 'garbage as a state vector',
    frame: writeSyncStep1(Uint8Array.of(3, 0x80)),
    code: 1007,
    reason: /malformed state vector/,
  },
  {
    name: 'an awareness update with bad JSON',
    frame: writeAwareness(writeAwarenessUpdate([{ clientId: 1, clock: 1, stateJson: '{"a":' }])),
    code: 1007,
    reason: /malformed awareness update/,
  },
  {
    name: 'HTTP text sent as a binary frame',
    frame: new TextEncoder().encode('GET / HTTP/1.1\r\n'),
    code: 1003,
    reason: /unknown message type 71/,
  },
]

for (const { name, frame, code, reason } of malformedFrames) {
  test(`closes only the sender of ${name}, with ${code} and a reason`, async (t) => {
    const server = await startServer(t)
    const room = await startEditedRoom(t, server)
    const offender = await openRawClient(t, server.url, 'bad-input')
    offender.socket.send(frame)
    const closed = await offender.closed
    assert.equal(closed.code, code)
    assert.match(closed.reason, reason)
    await assertRoomUnharmed(t, server, room)
  })
}

test('closes a frame over the size limit with 1009 and says the limit', async (t) => {
  const server = await startServer(t, { limits: { maxFrameBytes: 64 * 1024 } })
  const room = await startEditedRoom(t, server)
  const offender = await openRawClient(t, server.url, 'bad-input')
  offender.socket.send(new Uint8Array(100 * 1024))
  const closed = await offender.closed
  assert.equal(closed.code, 1009)
  assert.match(closed.reason, /frame exceeds the 65536-byte limit/)
  await assertRoomUnharmed(t, server, room)
})

test('closes an awareness update over its limit with 1009', async (t) => {
  const server = await startServer(t, { limits: { maxAwarenessBytes: 1024 } })
  const room = await startEditedRoom(t, server)
  const offender = await openRawClient(t, server.url, 'bad-input')
  const state = JSON.stringify({ user: { name: 'x'.repeat(2000) } })
  offender.socket.send(
    writeAwareness(writeAwarenessUpdate([{ clientId: 99, clock: 1, stateJson: state }])),
  )
  const closed = await offender.closed
  assert.equal(closed.code, 1009)
  assert.match(closed.reason, /exceeds the 1024-byte limit/)
  await assertRoomUnharmed(t, server, room)
})

test('survives a stream of random frames without harm to the room', async (t) => {
  const server = await startServer(t)
  const room = await startEditedRoom(t, server)
  let seed = 12345
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed / 2 ** 31
  }
  for (let i = 0; i < 40; i++) {
    const offender = await openRawClient(t, server.url, 'bad-input')
    const frame = Uint8Array.from({ length: 1 + Math.floor(random() * 40) }, () =>
      Math.floor(random() * 256),
    )
    offender.socket.send(frame)
    offender.socket.send(frame)
    offender.socket.close(1000)
    const closed = await offender.closed
    assert.ok(
      [1000, 1002, 1003, 1007].includes(closed.code),
      `unexpected close code ${closed.code}`,
    )
  }
  await assertRoomUnharmed(t, server, room)
})

test('refuses bad document names at the upgrade with 400 and a JSON reason', async (t) => {
  const server = await startServer(t)
  const cases: Array<[string, RegExp]> = [
    ['/', /empty/],
    [`/${'n'.repeat(256)}`, /256 characters long; the maximum is 255/],
    ['/bad%00name', /control character/],
    ['/bad%1Bname', /control character/],
    ['/%E2%82', /malformed percent-encoding/],
  ]
  for (const [path, reason] of cases) {
    const response = await requestUpgrade(server.port, path)
    assert.equal(response.status, 400, path)
    assert.match(String(response.body.reason), reason, path)
  }
  assert.equal(server.server.stats().documents, 0, 'no document was loaded for a refused name')
})

test('accepts names with spaces, slashes and non-ASCII, and ignores the query string', async (t) => {
  const server = await startServer(t)
  const a = connectProvider(t, server.url, 'team notes/été ✓')
  await waitSynced(a)
  a.doc.getText('text').insert(0, 'named')
  const raw = await openRawClient(t, `${server.url}`, 'team notes/été ✓')
  await until(() => raw.frames.length > 0, { what: 'the raw client to be greeted' })
  assert.equal(server.server.stats().documents, 1, 'both clients are in one document')
  const withQuery = connectProvider(t, `${server.url}/team%20notes`, 'x?token=abc')
  await waitSynced(withQuery)
  assert.equal(server.server.stats().documents, 2, '"team notes/x" opened as its own document')
})

test('answers unknown paths with 404 JSON and /healthz with counts', async (t) => {
  const server = await startServer(t)
  const missing = await getJson(server.port, '/no/such/page')
  assert.equal(missing.status, 404)
  assert.match(String(missing.body.reason), /no such path: \/no\/such\/page/)
  const provider = connectProvider(t, server.url, 'health')
  await waitSynced(provider)
  const health = await getJson(server.port, '/healthz')
  assert.equal(health.status, 200)
  assert.equal(health.body.status, 'ok')
  assert.equal(health.body.documents, 1)
  assert.equal(health.body.connections, 1)
  assert.equal(typeof health.body.uptimeSeconds, 'number')
})

test('refuses connections past the per-document limit with 503', async (t) => {
  const server = await startServer(t, { limits: { maxConnectionsPerRoom: 2 } })
  await openRawClient(t, server.url, 'full')
  await openRawClient(t, server.url, 'full')
  const response = await requestUpgrade(server.port, '/full')
  assert.equal(response.status, 503)
  assert.match(String(response.body.reason), /limit of 2 connections/)
})
