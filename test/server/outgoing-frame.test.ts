import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { WebSocket, WebSocketServer } from 'ws'
import { writeSyncStep2, writeSyncUpdate } from '../../protocol/message.js'
import { FrameEncoder, sendFrame } from '../../server/ws/outgoing-frame.js'
import { until } from '../helpers/until.js'

test('a frame written to several sockets arrives intact at every size', async (t) => {
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

  // Message sizes around the frame header's length steps (125 | 126, 65535 | 65536 bytes).
  const encoder = new FrameEncoder()
  const updates = [10, 122, 123, 65531, 65532, 200_000].map((size) =>
    Buffer.alloc(size, size % 251),
  )
  for (const update of updates) {
    const frame = encoder.frameFor({ kind: 'update', update })
    for (const socket of serverSockets) sendFrame(socket, frame)
  }
  await until(() => received.every((frames) => frames.length === updates.length), {
    what: 'every frame to arrive',
  })
  const expected = updates.map((update) => Buffer.from(writeSyncUpdate(update)))
  for (const frames of received) assert.deepEqual(frames, expected)
})

test('one message is framed once for all its receivers, a sync answer as long as it lives', () => {
  const encoder = new FrameEncoder()
  const update = { kind: 'update', update: Uint8Array.of(1, 2, 3) } as const
  assert.equal(encoder.frameFor(update), encoder.frameFor(update))
  const answer = { kind: 'syncStep2', update: new Uint8Array(70_000).fill(7) } as const
  const frame = encoder.frameFor(answer)
  encoder.frameFor(update)
  assert.equal(
    encoder.frameFor(answer),
    frame,
    'the answer is framed once though others came between',
  )
  assert.deepEqual(
    frame.wire.subarray(frame.messageOffset),
    Buffer.from(writeSyncStep2(answer.update)),
  )
})
