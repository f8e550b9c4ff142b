import assert from 'node:assert/strict'
import type { Socket } from 'node:net'
import { type TestContext, test } from 'node:test'
import * as decoding from 'lib0/decoding'
import WebSocket from 'ws'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import {
  type AwarenessEntry,
  readAwarenessUpdate,
  writeAwarenessUpdate,
} from '../../protocol/awareness-codec.js'
import { MessageType, writeAwareness, writeQueryAwareness } from '../../protocol/message.js'
import { type Authenticate, type Principal, refuse } from '../../server/index.js'
import { refusalsBeforeClose } from '../../server/rooms/awareness-refusal.js'
import { connectProvider, openRawClient, type RawClient, waitSynced } from '../helpers/client.js'
import { type StartServerOptions, startServer } from '../helpers/start-server.js'
import { until } from '../helpers/until.js'

const ghostClientId = 424242
/** A client ID of the connection under test, announced after the frames to look at. */
const ownClientId = 777
/** Where the servers of these tests see a client come from when a proxy forwards it. */
const elsewhere = '203.0.113.66'
const takeoverMessage = 'awareness client id taken over by a reconnect of the same user'

const principals: Record<string, Principal> = {
  'ada-token': { userId: 'ada', access: () => 'write' },
  'mallory-token': { userId: 'mallory', access: () => 'write' },
}

/** Principals by the `token` query parameter; anything else is 401. */
const authenticateByToken: Authenticate = ({ url }) =>
  Promise.resolve(
    principals[url.searchParams.get('token') ?? ''] ??
      refuse(401, 'COLLAB_UNAUTHENTICATED', 'a valid token is required'),
  )

/**
 * Opens a raw WebSocket that the server takes for one from `address`: it connects from
 * 127.0.0.1, which the servers of these tests trust as a proxy, with an X-Forwarded-For header.
 */
function openRawClientFrom(
  t: TestContext,
  url: string,
  room: string,
  address: string,
  params: Record<string, string> = {},
): Promise<RawClient> {
  return openRawClient(t, url, room, params, { 'X-Forwarded-For': address })
}

/** Makes a raw client stop reading, as a dead network does before anyone notices. */
function stopReading(raw: RawClient): void {
  ;(raw.socket as unknown as { _socket: Socket })._socket.pause()
}

/** Sends one awareness update of `[clientId, clock, state]` entries from a raw connection. */
function sendAwareness(
  raw: RawClient,
  ...entries: ReadonlyArray<readonly [clientId: number, clock: number, state: unknown]>
): void {
  const update = writeAwarenessUpdate(
    entries.map(([clientId, clock, state]) => ({
      clientId,
      clock,
      stateJson: JSON.stringify(state),
    })),
  )
  raw.socket.send(writeAwareness(update))
}

/** Announces a presence state for `ghostClientId` from a raw connection. */
function announceGhost(raw: RawClient, name: string): void {
  sendAwareness(raw, [ghostClientId, 1, { user: { name, color: '#c00' } }])
}

/** The awareness state a stock provider holds for a client. */
function stateOf(
  provider: WebsocketProvider,
  clientId: number,
): Record<string, unknown> | undefined {
  return provider.awareness.getStates().get(clientId)
}

/** The `user` field of the state a stock provider holds for a client. */
function userOf(provider: WebsocketProvider, clientId: number): { name?: string } | undefined {
  return stateOf(provider, clientId)?.user as { name?: string } | undefined
}

/**
 * A server with an observing stock provider and a raw connection that has announced the ghost's
 * presence, which the observer has seen. The server trusts 127.0.0.1 as a proxy
 * (`openRawClientFrom`).
 */
async function startWithGhost(t: TestContext, options: StartServerOptions = {}) {
  const server = await startServer(t, { trustedProxies: ['127.0.0.1'], ...options })
  const observer = connectProvider(t, server.url, 'presence')
  await waitSynced(observer)
  const ghost = await openRawClient(t, server.url, 'presence')
  announceGhost(ghost, 'Ghost')
  await until(() => observer.awareness.getStates().has(ghostClientId), {
    what: 'the ghost to appear',
  })
  return { server, observer, ghost }
}

/** Awareness entries in the frames a raw client received. */
function receivedAwareness(raw: RawClient) {
  return raw.frames
    .filter((frame) => frame[0] === MessageType.awareness)
    .flatMap((frame) => {
      const decoder = decoding.createDecoder(frame)
      decoding.readVarUint(decoder)
      return readAwarenessUpdate(decoding.readVarUint8Array(decoder))
    })
}

/** The last entry a raw client received for each client ID. */
function latestAwareness(raw: RawClient): Map<number, AwarenessEntry> {
  return new Map(receivedAwareness(raw).map((entry) => [entry.clientId, entry]))
}

test('awareness states reach the other clients, and joiners get them at once', async (t) => {
  const { url } = await startServer(t)
  const a = connectProvider(t, url, 'presence')
  const b = connectProvider(t, url, 'presence')
  await Promise.all([waitSynced(a), waitSynced(b)])
  a.awareness.setLocalStateField('user', { name: 'Ada', color: '#f00' })
  await until(() => userOf(b, a.doc.clientID)?.name === 'Ada', {
    what: "b to see Ada's presence",
  })
  const late = await openRawClient(t, url, 'presence')
  await until(() => receivedAwareness(late).some((entry) => entry.clientId === a.doc.clientID), {
    what: 'a joiner to be sent the known states on connect',
  })
  const states = receivedAwareness(late)
  const stateJson = states.find((entry) => entry.clientId === a.doc.clientID)!.stateJson
  assert.deepEqual((JSON.parse(stateJson) as { user?: unknown }).user, {
    name: 'Ada',
    color: '#f00',
  })

  late.frames.length = 0
  late.socket.send(writeQueryAwareness())
  await until(() => receivedAwareness(late).some((entry) => entry.clientId === a.doc.clientID), {
    what: 'the answer to a query awareness message',
  })
})

test("an abruptly closed client's state disappears from the others at once", async (t) => {
  const { observer, ghost } = await startWithGhost(t)
  ghost.socket.terminate()
  await until(() => !observer.awareness.getStates().has(ghostClientId), {
    timeoutMs: 2_000,
    what: 'the ghost to be removed when its connection closes',
  })
})

test('a silently dead client is dropped by the heartbeat and its state removed', async (t) => {
  const { server, observer, ghost } = await startWithGhost(t, {
    limits: { heartbeatIntervalMs: 100 },
  })
  // The client stops reading (a frozen tab or a dead network): it never answers pings.
  stopReading(ghost)
  await until(() => !observer.awareness.getStates().has(ghostClientId), {
    timeoutMs: 3_000,
    what: 'the heartbeat to drop the ghost',
  })
  assert.equal(server.server.stats().connections, 1, 'only the observer is still connected')
  assert.ok(observer.wsconnected, 'the live client, which answers pings, stays connected')
})

test('a removal sent by the client itself is relayed and the state forgotten', async (t) => {
  const { server, observer, ghost } = await startWithGhost(t)
  ghost.socket.send(
    writeAwareness(
      writeAwarenessUpdate([{ clientId: ghostClientId, clock: 2, stateJson: 'null' }]),
    ),
  )
  await until(() => !observer.awareness.getStates().has(ghostClientId), {
    what: 'the removal to be relayed',
  })
  const joiner = await openRawClient(t, server.url, 'presence')
  await until(() => joiner.frames.length > 0, { what: 'the joiner to be greeted' })
  assert.ok(
    !receivedAwareness(joiner).some(
      (entry) => entry.clientId === ghostClientId && entry.stateJson !== 'null',
    ),
  )
})

test('without authentication, a client ID moves to a connection from another address only once its old connection has closed', async (t) => {
  const { server, observer, ghost: oldConnection } = await startWithGhost(t)
  // The same client ID announces itself on a new connection from elsewhere first.
  const newConnection = await openRawClientFrom(t, server.url, 'presence', elsewhere)
  sendAwareness(newConnection, [ghostClientId, 2, { user: { name: 'Ghost again' } }])
  sendAwareness(newConnection, [ownClientId, 1, { user: { name: 'Barrier' } }])
  await until(() => observer.awareness.getStates().has(ownClientId), {
    what: 'the new connection’s frames to be handled',
  })
  assert.deepEqual(userOf(observer, ghostClientId), { name: 'Ghost', color: '#c00' })

  oldConnection.socket.terminate()
  await until(() => !observer.awareness.getStates().has(ghostClientId), {
    what: 'the old connection’s state to go with it',
  })
  sendAwareness(newConnection, [ghostClientId, 3, { user: { name: 'Ghost again' } }])
  await until(() => userOf(observer, ghostClientId)?.name === 'Ghost again', {
    what: 'the freed client ID to be taken by the new connection',
  })
})

test('a connection cannot overwrite or remove the state of a client ID another connection owns', async (t) => {
  const { server, observer, ghost } = await startWithGhost(t)
  const mallory = await openRawClientFrom(t, server.url, 'presence', elsewhere)
  // The rest of an update with a spoofed entry still applies.
  sendAwareness(
    mallory,
    [ghostClientId, 2, { user: { name: 'Mallory', color: '#000' } }],
    [ownClientId, 1, { user: { name: 'Mallory' } }],
  )
  sendAwareness(mallory, [ghostClientId, 3, null])
  sendAwareness(mallory, [ownClientId, 2, { user: { name: 'Barrier' } }])
  await until(() => userOf(observer, ownClientId)?.name === 'Barrier', {
    what: 'Mallory’s frames to be handled',
  })
  assert.deepEqual(userOf(observer, ghostClientId), { name: 'Ghost', color: '#c00' })
  assert.ok(
    !receivedAwareness(ghost).some(
      (entry) => entry.stateJson.includes('Mallory') && entry.clientId === ghostClientId,
    ),
    'nothing spoofed is relayed',
  )
  const refusals = server.logs.filter((line) => line.msg === 'refused awareness entries')
  assert.deepEqual(
    refusals.map(({ level, userId, refused, clientIds }) => ({
      level,
      userId,
      refused,
      clientIds,
    })),
    Array(2).fill({
      level: 40,
      userId: 'anonymous',
      refused: { ownedByAnotherConnection: 1 },
      clientIds: [ghostClientId],
    }),
    'each spoofing update is logged as a warning with the user id',
  )
  assert.equal(mallory.socket.readyState, WebSocket.OPEN, 'two refusals are forgiven')
})

test('a connection that keeps setting client IDs it does not own is closed with 1008', async (t) => {
  const { server, observer } = await startWithGhost(t)
  const mallory = await openRawClientFrom(t, server.url, 'presence', elsewhere)
  for (let clock = 2; clock <= 4; clock++) {
    sendAwareness(mallory, [ghostClientId, clock, { user: { name: 'Mallory' } }])
  }
  assert.deepEqual(await mallory.closed, {
    code: 1008,
    reason: 'closed after 3 refused awareness updates: client ids of another connection',
  })
  assert.deepEqual(userOf(observer, ghostClientId), { name: 'Ghost', color: '#c00' })
  assert.ok(observer.wsconnected)
})

test('without authentication, a stock provider that reconnects from the same address takes its client ID over from its old, not yet dropped connection', async (t) => {
  const { server, observer, ghost: oldConnection } = await startWithGhost(t)
  // The network dropped: the old connection is dead, but the server has not noticed (it would at
  // the heartbeat), and the client reconnects at once with its clock ahead of the one it sent.
  stopReading(oldConnection)
  const doc = new Y.Doc()
  doc.clientID = ghostClientId
  const reconnected = connectProvider(t, server.url, 'presence', doc, { connect: false })
  for (const name of ['Ghost', 'Ghost again']) {
    reconnected.awareness.setLocalStateField('user', { name })
  }
  reconnected.connect()
  await until(() => userOf(observer, ghostClientId)?.name === 'Ghost again', {
    what: 'the reconnect’s state to reach the observer',
  })
  for (let cursor = 1; cursor <= refusalsBeforeClose; cursor++) {
    reconnected.awareness.setLocalStateField('cursor', cursor)
  }
  await until(() => stateOf(observer, ghostClientId)?.cursor === refusalsBeforeClose, {
    what: 'every cursor move to reach the observer',
  })
  assert.ok(reconnected.wsconnected, 'not closed')
  assert.deepEqual(
    server.logs.filter((line) => line.msg === 'refused awareness entries'),
    [],
    'nothing refused, no strike',
  )
  assert.deepEqual(
    server.logs
      .filter((line) => line.msg === takeoverMessage)
      .map(({ level, userId, clientIds }) => ({ level, userId, clientIds })),
    [{ level: 30, userId: 'anonymous', clientIds: [ghostClientId] }],
  )

  oldConnection.socket.terminate()
  await server.events.waitFor('left', 'presence')
  assert.ok(
    server.events.of('awarenessChanged').every(([, change]) => change.removed.length === 0),
    'the old connection’s close leaves the taken-over state alone',
  )
  assert.equal(stateOf(observer, ghostClientId)?.cursor, refusalsBeforeClose)
})

test('with authentication, a second connection of the same user takes its client ID over from any address; another user is refused and closed with 1008', async (t) => {
  const server = await startServer(t, {
    authenticate: authenticateByToken,
    trustedProxies: ['127.0.0.1'],
  })
  const observer = await openRawClient(t, server.url, 'presence', { token: 'mallory-token' })
  const before = await openRawClient(t, server.url, 'presence', { token: 'ada-token' })
  sendAwareness(before, [ghostClientId, 1, { user: { name: 'Ada' } }])
  await until(() => latestAwareness(observer).has(ghostClientId), { what: 'Ada to appear' })

  const reconnected = await openRawClientFrom(t, server.url, 'presence', elsewhere, {
    token: 'ada-token',
  })
  sendAwareness(reconnected, [ghostClientId, 2, { user: { name: 'Ada again' } }])
  await until(() => latestAwareness(observer).get(ghostClientId)?.clock === 2, {
    what: 'the second connection’s state to reach the observer',
  })
  assert.deepEqual(
    server.logs
      .filter((line) => line.msg === takeoverMessage)
      .map(({ level, userId, clientIds }) => ({ level, userId, clientIds })),
    [{ level: 30, userId: 'ada', clientIds: [ghostClientId] }],
  )

  const mallory = await openRawClient(t, server.url, 'presence', { token: 'mallory-token' })
  for (let clock = 3; clock < 3 + refusalsBeforeClose; clock++) {
    sendAwareness(mallory, [ghostClientId, clock, { user: { name: 'Mallory' } }])
  }
  assert.deepEqual(await mallory.closed, {
    code: 1008,
    reason: 'closed after 3 refused awareness updates: client ids of another connection',
  })
  assert.deepEqual(
    server.logs
      .filter((line) => line.msg === 'refused awareness entries')
      .map(({ userId, refused }) => ({ userId, refused })),
    Array(refusalsBeforeClose).fill({
      userId: 'mallory',
      refused: { ownedByAnotherConnection: 1 },
    }),
  )
  assert.equal(
    latestAwareness(observer).get(ghostClientId)?.stateJson,
    '{"user":{"name":"Ada again"}}',
  )
  assert.equal(reconnected.socket.readyState, WebSocket.OPEN)
})

test('a connection may announce at most 4 client IDs: the fifth is refused', async (t) => {
  const { url, logs } = await startServer(t)
  const observer = connectProvider(t, url, 'many')
  await waitSynced(observer)
  const multi = await openRawClient(t, url, 'many')
  const clientIds = [101, 102, 103, 104, 105]
  sendAwareness(multi, ...clientIds.map((clientId) => [clientId, 1, { n: clientId }] as const))
  sendAwareness(multi, [101, 2, { barrier: true }])
  await until(() => stateOf(observer, 101)?.barrier === true, { what: 'both frames to be handled' })
  assert.deepEqual(
    clientIds.filter((clientId) => observer.awareness.getStates().has(clientId)),
    [101, 102, 103, 104],
  )
  const [refusal] = logs.filter((line) => line.msg === 'refused awareness entries')
  assert.deepEqual(refusal?.refused, { maxAwarenessClientsPerConnection: 1 })
  assert.deepEqual(refusal.clientIds, [105])
})

test('a room refuses states past maxAwarenessStatesPerRoom, and closes nobody for it', async (t) => {
  const { url, logs } = await startServer(t, { limits: { maxAwarenessStatesPerRoom: 2 } })
  const observer = await openRawClient(t, url, 'full')
  const [first, second, third] = await Promise.all(
    [1, 2, 3].map(() => openRawClient(t, url, 'full')),
  )
  sendAwareness(first!, [201, 1, {}])
  sendAwareness(second!, [202, 1, {}])
  await until(() => receivedAwareness(observer).length === 2, { what: 'two states' })
  for (let clock = 1; clock <= refusalsBeforeClose + 1; clock++) {
    sendAwareness(third!, [203, clock, {}])
  }
  await until(() => logs.filter((line) => line.msg === 'refused awareness entries').length === 4, {
    what: 'the refusals',
  })
  assert.deepEqual(logs.find((line) => line.msg === 'refused awareness entries')?.refused, {
    maxAwarenessStatesPerRoom: 1,
  })
  assert.equal(third!.socket.readyState, WebSocket.OPEN)
  assert.deepEqual([...latestAwareness(observer).keys()].sort(), [201, 202])
  first!.socket.terminate()
  await until(() => latestAwareness(observer).get(201)?.stateJson === 'null', {
    what: 'the first to leave',
  })
  sendAwareness(third!, [203, 9, {}])
  await until(() => receivedAwareness(observer).some((entry) => entry.clientId === 203), {
    what: 'room for the third once the first has left',
  })
})

test('a room refuses states that would take it past maxRoomAwarenessBytes', async (t) => {
  const { url, logs } = await startServer(t, { limits: { maxRoomAwarenessBytes: 100 } })
  const observer = await openRawClient(t, url, 'heavy')
  const sender = await openRawClient(t, url, 'heavy')
  const padded = (length: number) => ({ pad: 'x'.repeat(length - '{"pad":""}'.length) })
  sendAwareness(sender, [301, 1, padded(60)])
  sendAwareness(sender, [302, 1, padded(60)], [303, 1, padded(40)])
  sendAwareness(sender, [301, 2, padded(61)])
  sendAwareness(sender, [301, 3, { barrier: true }])
  await until(() => latestAwareness(observer).get(301)?.clock === 3, {
    what: 'the frames to be handled',
  })
  assert.deepEqual(
    [...latestAwareness(observer)].map(([clientId, { clock }]) => [clientId, clock]),
    [
      [301, 3],
      [303, 1],
    ],
  )
  const refusals = logs.filter((line) => line.msg === 'refused awareness entries')
  assert.deepEqual(
    refusals.map((line) => [line.refused, line.clientIds]),
    [
      [{ maxRoomAwarenessBytes: 1 }, [302]],
      [{ maxRoomAwarenessBytes: 1 }, [301]],
    ],
  )
})

test('stock providers in a room of several, echoing every change, are never refused nor closed', async (t) => {
  const { url, server, logs } = await startServer(t)
  const providers = [1, 2, 3, 4].map(() => connectProvider(t, url, 'stock'))
  await Promise.all(providers.map((provider) => waitSynced(provider)))
  for (let round = 1; round <= 3; round++) {
    providers.forEach((provider, index) =>
      provider.awareness.setLocalStateField('user', { name: `user ${index}`, round }),
    )
  }
  const leaving = providers.pop()!
  const leavingId = leaving.awareness.clientID
  leaving.destroy()
  await until(
    () =>
      providers.every((provider) => {
        const states = provider.awareness.getStates()
        return (
          !states.has(leavingId) &&
          providers.every(
            (other) =>
              (states.get(other.awareness.clientID)?.user as { round?: number })?.round === 3,
          )
        )
      }),
    { what: 'every provider to see the others’ last state, and the leaver gone' },
  )
  // Echoes of the last changes, sent back by every provider, have come and gone.
  providers[0]!.awareness.setLocalStateField('user', { name: 'barrier' })
  await until(
    () =>
      providers.every(
        (provider) => userOf(provider, providers[0]!.awareness.clientID)?.name === 'barrier',
      ),
    {
      what: 'a last change to reach everyone',
    },
  )
  assert.deepEqual(
    logs.filter((line) => line.msg === 'refused awareness entries'),
    [],
  )
  assert.ok(providers.every((provider) => provider.wsconnected))
  assert.equal(server.stats().connections, 3)
})

test('awareness updates are echoed to their sender, so a client alone in a document keeps hearing from the server', async (t) => {
  // y-websocket reconnects after 30 s without a message (pings do not count); the renewal echo
  // every 15 s keeps a lone client connected, as with the reference server.
  const { url } = await startServer(t)
  const alone = await openRawClient(t, url, 'alone')
  announceGhost(alone, 'Alone')
  await until(() => receivedAwareness(alone).some((entry) => entry.clientId === ghostClientId), {
    what: 'the sender to get its own update back',
  })
})

test('awareness updates arriving together are relayed as one merged frame', async (t) => {
  const { url } = await startServer(t)
  const observer = await openRawClient(t, url, 'busy')
  const sender = await openRawClient(t, url, 'busy')
  await until(() => observer.frames.length > 0 && sender.frames.length > 0, {
    what: 'both to be greeted',
  })
  observer.frames.length = 0
  const tcp = (sender.socket as unknown as { _socket: Socket })._socket
  // Three updates in one TCP write reach the server in the same event-loop turn.
  tcp.cork()
  for (let clock = 1; clock <= 3; clock++) {
    const entries = [10, 11].map((clientId) => ({
      clientId,
      clock,
      stateJson: JSON.stringify({ cursor: clock }),
    }))
    sender.socket.send(writeAwareness(writeAwarenessUpdate(entries)))
  }
  process.nextTick(() => tcp.uncork())
  await until(
    () => receivedAwareness(observer).some((entry) => entry.clientId === 11 && entry.clock === 3),
    { what: 'the latest update to arrive' },
  )
  const frames = observer.frames.filter((frame) => frame[0] === MessageType.awareness)
  assert.equal(frames.length, 1, 'one frame for the three updates')
  assert.deepEqual(
    receivedAwareness(observer).map(({ clientId, clock }) => [clientId, clock]),
    [
      [10, 3],
      [11, 3],
    ],
    'the merged frame carries the latest state of each client',
  )
})
