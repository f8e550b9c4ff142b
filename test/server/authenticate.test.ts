import assert from 'node:assert/strict'
import { test } from 'node:test'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { writeAwarenessUpdate } from '../../protocol/awareness-codec.js'
import { AuthStep, MessageType, writeAwareness, writeSyncUpdate } from '../../protocol/message.js'
import type { DocStore } from '../../persistence/store.js'
import { type Authenticate, type Principal, refuse } from '../../server/index.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { requestUpgrade } from '../helpers/http.js'
import { startServer } from '../helpers/start-server.js'
import { storedText } from '../helpers/store-contract.js'
import { wrapStore } from '../helpers/store-wrapper.js'
import { until } from '../helpers/until.js'

const principals: Record<string, Principal> = {
  'writer-token': { userId: 'wanda', name: 'Wanda', access: () => 'write' },
  'reader-token': {
    userId: 'rita',
    access: (document) => (document === 'shared' ? 'read' : null),
  },
}

/** Tokens from the query (y-websocket's `params`) or a bearer header; anything else is 401. */
const authenticateByToken: Authenticate = ({ url, headers }) => {
  const token =
    url.searchParams.get('token') ?? headers.get('authorization')?.replace(/^Bearer /, '')
  const principal = token === undefined || token === null ? undefined : principals[token]
  return Promise.resolve(
    principal ?? refuse(401, 'COLLAB_UNAUTHENTICATED', 'a valid token is required'),
  )
}

/** Counts loads that reach the store. */
function countLoads(store: DocStore, counter: { loads: number }): DocStore {
  return wrapStore(store, {
    load: (name) => {
      counter.loads++
      return store.load(name)
    },
  })
}

/** A raw WebSocket on a document with a token in the query, every frame recorded. */
async function openWithToken(url: string, document: string, token: string) {
  const socket = new WebSocket(`${url}/${document}?token=${token}`)
  const frames: Uint8Array[] = []
  socket.on('message', (data: Buffer) => frames.push(new Uint8Array(data)))
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  return { socket, frames }
}

test('an upgrade without a valid token gets the authenticator’s 401 and loads no document', async (t) => {
  const counter = { loads: 0 }
  const server = await startServer(t, {
    authenticate: authenticateByToken,
    wrapStore: (store) => countLoads(store, counter),
  })
  for (const path of ['/shared', '/shared?token=forged']) {
    const refused = await requestUpgrade(server.port, path)
    assert.equal(refused.status, 401, path)
    assert.deepEqual(refused.body, {
      error: 'COLLAB_UNAUTHENTICATED',
      reason: 'a valid token is required',
    })
  }
  const bearer = await requestUpgrade(server.port, '/elsewhere', {
    Authorization: 'Bearer reader-token',
  })
  assert.equal(bearer.status, 403, 'a valid token without access to the document')
  assert.equal(bearer.body.error, 'COLLAB_FORBIDDEN')
  assert.equal(counter.loads, 0, 'no refused request cost a document load')
  assert.equal(server.server.stats().documents, 0)
})

test('an authenticator that fails answers 500 without a socket and the server keeps serving', async (t) => {
  let isBroken = true
  const server = await startServer(t, {
    authenticate: (request) =>
      isBroken ? Promise.reject(new Error('session store down')) : authenticateByToken(request),
  })
  const refused = await requestUpgrade(server.port, '/shared?token=writer-token')
  assert.equal(refused.status, 500)
  assert.equal(refused.body.error, 'COLLAB_INTERNAL')
  isBroken = false
  const writer = await openWithToken(server.url, 'shared', 'writer-token')
  deferCleanup(t, () => writer.socket.terminate())
})

test('a read-only connection follows the document live but changes nothing, told once why', async (t) => {
  const server = await startServer(t, { authenticate: authenticateByToken })
  const writerDoc = new Y.Doc()
  const writer = connectProvider(t, server.url, 'shared', writerDoc, {
    params: { token: 'writer-token' },
  })
  await waitSynced(writer)
  writerDoc.getText('text').insert(0, 'by the writer')
  await server.events.waitFor('updateStored', 'shared')

  const reader = await openWithToken(server.url, 'shared', 'reader-token')
  deferCleanup(t, () => reader.socket.terminate())
  const readerDoc = new Y.Doc()
  readerDoc.getText('text').insert(0, 'forbidden ')
  const forbidden = Y.encodeStateAsUpdate(readerDoc)
  reader.socket.send(writeSyncUpdate(forbidden))
  reader.socket.send(writeSyncUpdate(forbidden))
  const isDenial = (frame: Uint8Array): boolean =>
    frame[0] === MessageType.auth && frame[1] === AuthStep.permissionDenied
  await until(() => reader.frames.some(isDenial), { what: 'the permission-denied message' })
  const denial = reader.frames.find(isDenial)!
  assert.equal(new TextDecoder().decode(denial.subarray(3)), 'read-only')

  // Its cursor still reaches the others.
  const cursor = writeAwarenessUpdate([
    { clientId: readerDoc.clientID, clock: 1, stateJson: '{"user":{"name":"Rita"}}' },
  ])
  reader.socket.send(writeAwareness(cursor))
  await until(() => writer.awareness.getStates().has(readerDoc.clientID), {
    what: 'the reader’s cursor to reach the writer',
  })
  // And the writer's later edits reach the reader.
  writerDoc.getText('text').insert(0, 'more ')
  await server.events.waitFor('updateStored', 'shared', 2)
  await until(
    () =>
      reader.frames.filter((frame) => frame[0] === MessageType.sync && frame[1] === 2).length > 0,
    { what: 'the writer’s update to be relayed to the reader' },
  )

  assert.equal(reader.socket.readyState, WebSocket.OPEN, 'the reader stays connected')
  assert.equal(reader.frames.filter(isDenial).length, 1, 'told once, not per update')
  assert.equal(server.events.count('updateStored', 'shared'), 2, 'only the writer’s updates')
  assert.equal(writerDoc.getText('text').toString(), 'more by the writer')
  assert.equal(storedText(await server.store.load('shared')), 'more by the writer')
  assert.ok(
    server.logs.some((line) => line.msg === 'refused an update' && line.userId === 'rita'),
    'the refusal is logged with the user id',
  )
})
