// Acknowledgements of stored updates (protocol/README.md §6): only for clients that ask, in the
// order the updates came in, each only once its update is durable, none after a failed write.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import { writeSyncStep2, writeSyncUpdate } from '../../protocol/message.js'
import { storedAckMessageType } from '../../protocol/stored-ack.js'
import type { DocStore } from '../../persistence/store.js'
import { openRawClient, type RawClient } from '../helpers/client.js'
import { holdsFor } from '../helpers/holds-for.js'
import { startServer } from '../helpers/start-server.js'
import { wrapStore } from '../helpers/store-wrapper.js'
import { until } from '../helpers/until.js'

/** The counts of the acknowledgements a client has received, in order. */
function acksOf(client: RawClient): number[] {
  return client.frames
    .filter((frame) => frame[0] === storedAckMessageType)
    .map((frame) => {
      const decoder = decoding.createDecoder(frame)
      decoding.readVarUint(decoder)
      return decoding.readVarUint(decoder)
    })
}

/** An update typing `text` as a fresh client. */
function typing(text: string): Uint8Array {
  const doc = new Y.Doc()
  doc.getText('text').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}

const emptyUpdate = Uint8Array.of(0, 0)

test('a client that asks is told, in order, how many of its updates are stored', async (t) => {
  const { url, store } = await startServer(t)
  const client = await openRawClient(t, url, 'acked', { acks: '1' })
  await until(() => acksOf(client).length === 1, { what: 'the opening acknowledgement' })
  assert.deepEqual(acksOf(client), [0])

  client.socket.send(writeSyncStep2(emptyUpdate))
  client.socket.send(writeSyncUpdate(typing('one')))
  client.socket.send(writeSyncUpdate(emptyUpdate))
  client.socket.send(writeSyncUpdate(typing('two')))
  await until(() => acksOf(client).length === 5, { what: 'four acknowledgements' })
  assert.deepEqual(acksOf(client), [0, 1, 2, 3, 4])
  const stored = await store.load('acked')
  assert.equal(stored.log.length, 2, 'both non-empty updates are in the store')
})

test('an update is acknowledged only once the store has it, and nothing after it before', async (t) => {
  let releaseAppend: () => void = () => undefined
  const appendHeld = new Promise<void>((resolve) => (releaseAppend = resolve))
  let isHolding = true
  const { url } = await startServer(t, {
    wrapStore: (store: DocStore) =>
      wrapStore(store, {
        append: async (room, update) => {
          if (isHolding) await appendHeld
          return store.append(room, update)
        },
      }),
  })
  const client = await openRawClient(t, url, 'held', { acks: '1' })
  await until(() => acksOf(client).length === 1, { what: 'the opening acknowledgement' })
  client.socket.send(writeSyncUpdate(typing('slow')))
  // The empty update needs no write, but is acknowledged only after the one before it.
  client.socket.send(writeSyncUpdate(emptyUpdate))
  await holdsFor(() => acksOf(client).length === 1, {
    durationMs: 300,
    what: 'no acknowledgement while the append is held',
  })
  isHolding = false
  releaseAppend()
  await until(() => acksOf(client).length === 3, { what: 'both acknowledgements' })
  assert.deepEqual(acksOf(client), [0, 1, 2])
})

test('after a failed write nothing more is acknowledged, and the client is closed with 1011', async (t) => {
  let isFailing = false
  const { url } = await startServer(t, {
    wrapStore: (store: DocStore) =>
      wrapStore(store, {
        append: (room, update) =>
          isFailing ? Promise.reject(new Error('injected: disk full')) : store.append(room, update),
      }),
  })
  const client = await openRawClient(t, url, 'failing', { acks: '1' })
  client.socket.send(writeSyncUpdate(typing('stored')))
  await until(() => acksOf(client).length === 2, { what: 'the first acknowledgement' })
  isFailing = true
  client.socket.send(writeSyncUpdate(typing('lost')))
  client.socket.send(writeSyncUpdate(emptyUpdate))
  const { code } = await client.closed
  assert.equal(code, 1011)
  assert.deepEqual(acksOf(client), [0, 1])
})

test('clients that do not ask, and readers, get no acknowledgements', async (t) => {
  const { url } = await startServer(t, {
    authenticate: (request) => {
      const isReader = request.url.searchParams.get('as') === 'reader'
      return Promise.resolve({
        userId: isReader ? 'reader' : 'writer',
        access: () => (isReader ? 'read' : 'write'),
      })
    },
  })
  const stock = await openRawClient(t, url, 'plain')
  const reader = await openRawClient(t, url, 'plain', { acks: '1', as: 'reader' })
  const writer = await openRawClient(t, url, 'plain', { acks: '1' })
  stock.socket.send(writeSyncUpdate(typing('from a stock client')))
  reader.socket.send(writeSyncUpdate(typing('refused')))
  writer.socket.send(writeSyncUpdate(typing('from the writer')))
  await until(() => acksOf(writer).length === 2, { what: "the writer's acknowledgement" })
  // Relayed in the order stored: the writer's update comes after the stock client's.
  const relayed = (client: RawClient) =>
    client.frames.filter((frame) => frame[0] === 0 && frame[1] === 2).length
  await until(() => relayed(stock) === 1 && relayed(reader) === 2, {
    what: 'the relayed updates',
  })
  assert.deepEqual(acksOf(stock), [])
  assert.deepEqual(acksOf(reader), [])
})
