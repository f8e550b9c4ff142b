import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { WebSocket, WebSocketServer } from 'ws'
import { type OutgoingFrame, sendFrame } from '../../server/ws/outgoing-frame.js'
import { until } from '../helpers/until.js'

test('a frame written to several sockets is framed once and arrives intact at every size', async (t) => {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  t.after(() => server.close())
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  const serverSockets: WebSocket[] = []
  server.on('connection', (socket) => serverSockets.push(socket))
  const received: Buffer[][] = [[], [], []]
  const clients = received.map((frames) => {
    const client = new WebSocket(`ws://127.0.0.1:${port}`)
    client.on('message', (data: Buffer) => frames.push(data))
    t.after(() => client.terminate())
    return client
  })
  await until(() => serverSockets.length === clients.length, { what: 'all clients to connect' })

  const payloads = [10, 125, 126, 65535, 65536, 200_000].map((size) =>
    Buffer.alloc(size, size % 251),
  )
  for (const payload of payloads) {
    const frame: OutgoingFrame = { payload }
    for (const socket of serverSockets) sendFrame(socket, frame)
    // ws is idle here, so the shared wire bytes were used (the fast path is live with this ws).
    assert.ok(frame.wire, `frame of ${payload.length} bytes was framed once and shared`)
  }
  await until(() => received.every((frames) => frames.length === payloads.length), {
    what: 'every frame to arrive',
  })
  for (const frames of received) assert.deepEqual(frames, payloads)
})
