import assert from 'node:assert/strict'
import type { Socket } from 'node:net'
import { test } from 'node:test'
import type { DocStore } from '../../persistence/store.js'
import { connectProvider, openRawClient, waitSynced } from '../helpers/client.js'
import { startServer } from '../helpers/start-server.js'
import { wrapStore } from '../helpers/store-wrapper.js'
import { until } from '../helpers/until.js'

test('closes a consumer that stops reading with 1013 once its send buffer passes the bound', async (t) => {
  const server = await startServer(t, { limits: { maxBufferedBytes: 256 * 1024 } })
  const writer = connectProvider(t, server.url, 'firehose')
  const reader = connectProvider(t, server.url, 'firehose')
  await Promise.all([waitSynced(writer), waitSynced(reader)])
  const slow = await openRawClient(t, server.url, 'firehose')
  // Stop reading at the TCP level: the kernel buffers fill, then the server's send buffer grows.
  const tcp = (slow.socket as unknown as { _socket: Socket })._socket
  tcp.pause()

  const chunk = 'x'.repeat(256 * 1024)
  const text = writer.doc.getText('text')
  for (let i = 0; i < 80 && !server.logs.some((log) => log.code === 'COLLAB_SLOW_CONSUMER'); i++) {
    text.insert(0, chunk)
    await until(() => reader.doc.getText('text').length === text.length, {
      what: 'the reader to keep up',
    })
  }
  assert.ok(
    server.logs.some((log) => log.code === 'COLLAB_SLOW_CONSUMER' && log.closeCode === 1013),
    'the server logged the slow consumer',
  )
  tcp.resume()
  const closed = await slow.closed
  assert.equal(closed.code, 1013)
  assert.match(closed.reason, /too slow/)

  text.insert(0, 'still here ')
  await until(() => reader.doc.getText('text').toString().startsWith('still here '), {
    what: 'the healthy reader to keep getting edits',
  })
})

/** Wraps a store so that appends to one room fail while `isFailing` is set. */
function failingAppends(store: DocStore, room: string, state: { isFailing: boolean }): DocStore {
  return wrapStore(store, {
    append: (name, update) =>
      state.isFailing && name === room
        ? Promise.reject(new Error('injected disk failure'))
        : store.append(name, update),
  })
}

test('a failed write is not relayed: the sender is closed with 1011, other documents keep working', async (t) => {
  const failure = { isFailing: false }
  const server = await startServer(t, {
    wrapStore: (store) => failingAppends(store, 'doomed', failure),
  })
  const sender = connectProvider(t, server.url, 'doomed')
  const peer = connectProvider(t, server.url, 'doomed')
  const healthyA = connectProvider(t, server.url, 'healthy')
  const healthyB = connectProvider(t, server.url, 'healthy')
  await Promise.all([sender, peer, healthyA, healthyB].map((provider) => waitSynced(provider)))
  const closes: number[] = []
  sender.on('connection-close', (event: { code: number } | null) => {
    if (event) closes.push(event.code)
  })

  failure.isFailing = true
  sender.doc.getText('text').insert(0, 'lost?')
  await until(() => closes.includes(1011), { what: 'the sender to be closed with 1011' })
  assert.ok(server.events.count('storeFailed', 'doomed') >= 1, 'observers were told')
  assert.ok(
    server.logs.some(
      (log) => log.room === 'doomed' && log.msg === 'could not store an update; it was not relayed',
    ),
    'the failure is logged with the room',
  )
  healthyA.doc.getText('text').insert(0, 'fine')
  await until(() => healthyB.doc.getText('text').toString() === 'fine', {
    what: 'another document to keep working',
  })
  assert.equal(peer.doc.getText('text').toString(), '', 'the unstored update was not relayed')

  // Once the store works again the sender's provider reconnects and its edit arrives after all.
  failure.isFailing = false
  await until(() => peer.doc.getText('text').toString() === 'lost?', {
    timeoutMs: 15_000,
    what: 'the edit to arrive after reconnecting',
  })
})
