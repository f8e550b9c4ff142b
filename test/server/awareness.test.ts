import assert from 'node:assert/strict'
import type { Socket } from 'node:net'
import { type TestContext, test } from 'node:test'
import * as decoding from 'lib0/decoding'
import { readAwarenessUpdate, writeAwarenessUpdate } from '../../protocol/awareness-codec.js'
import { MessageType, writeAwareness, writeQueryAwareness } from '../../protocol/message.js'
import { connectProvider, openRawClient, type RawClient, waitSynced } from '../helpers/client.js'
import { type StartServerOptions, startServer } from '../helpers/start-server.js'
import { until } from '../helpers/until.js'

const ghostClientId = 424242

/** Announces a presence state for `ghostClientId` from a raw connection. */
function announceGhost(raw: RawClient, name: string): void {
  const state = JSON.stringify({ user: { name, color: '#c00' } })
  raw.socket.send(
    writeAwareness(writeAwarenessUpdate([{ clientId: ghostClientId, clock: 1, stateJson: state }])),
  )
}

/**
 * A server with an observing stock provider and a raw connection that has announced the ghost's
 * presence, which the observer has seen.
 */
async function startWithGhost(t: TestContext, limits: StartServerOptions['limits'] = {}) {
  const server = await startServer(t, { limits })
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

test('awareness states reach the other clients, and joiners get them at once', async (t) => {
  const { url } = await startServer(t)
  const a = connectProvider(t, url, 'presence')
  const b = connectProvider(t, url, 'presence')
  await Promise.all([waitSynced(a), waitSynced(b)])
  a.awareness.setLocalStateField('user', { name: 'Ada', color: '#f00' })
  const userOf = (state: unknown): unknown => (state as { user?: unknown } | undefined)?.user
  await until(
    () =>
      (userOf(b.awareness.getStates().get(a.doc.clientID)) as { name?: string } | undefined)
        ?.name === 'Ada',
    {
      what: "b to see Ada's presence",
    },
  )
  const late = await openRawClient(t, url, 'presence')
  await until(() => receivedAwareness(late).some((entry) => entry.clientId === a.doc.clientID), {
    what: 'a joiner to be sent the known states on connect',
  })
  const states = receivedAwareness(late)
  assert.deepEqual(
    userOf(JSON.parse(states.find((entry) => entry.clientId === a.doc.clientID)!.stateJson)),
    {
      name: 'Ada',
      color: '#f00',
    },
  )

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
  const { server, observer, ghost } = await startWithGhost(t, { heartbeatIntervalMs: 100 })
  // The client stops reading (a frozen tab or a dead network): it never answers pings.
  ;(ghost.socket as unknown as { _socket: Socket })._socket.pause()
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

test('when a client ID moves to a new connection, closing the old one keeps its state', async (t) => {
  const { server, observer, ghost: oldConnection } = await startWithGhost(t)
  // A quick reconnect: the same client ID announces itself on a new connection first.
  const newConnection = await openRawClient(t, server.url, 'presence')
  const state = JSON.stringify({ user: { name: 'Ghost again' } })
  newConnection.socket.send(
    writeAwareness(writeAwarenessUpdate([{ clientId: ghostClientId, clock: 2, stateJson: state }])),
  )
  await until(
    () => JSON.stringify(observer.awareness.getStates().get(ghostClientId)).includes('again'),
    {
      what: 'the new state to arrive',
    },
  )
  oldConnection.socket.terminate()
  await oldConnection.closed
  await until(() => server.server.stats().connections === 2, {
    what: 'the server to see the old connection close',
  })
  assert.ok(
    observer.awareness.getStates().has(ghostClientId),
    'the state survives the old connection closing',
  )
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
