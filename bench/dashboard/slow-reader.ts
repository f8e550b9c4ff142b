// Connections that stop reading while large updates keep coming: the server buffers what it
// cannot send until a connection's send buffer passes --max-buffered-bytes, then closes it with
// 1013. A reader is a raw TCP socket that sends the WebSocket handshake and is paused at once, so
// that nothing on the client side drains it. Its close completes (and is counted) only once the
// socket goes away, as a stalled client's eventually does: each reader is destroyed a while after
// it joined. Readers join one after another, so that their closes come one after another too.
import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import * as Y from 'yjs'
import { BenchClient } from '../load/client.js'
import type { Target } from '../load/client.js'
import { paced, sleep } from '../load/measure.js'

/** Size of the text each update inserts (and the next one deletes, so the document stays small). */
const chunkChars = 256 * 1024
const updatesPerSecond = 16
/** How long a reader stays: long enough for its send buffer to overflow. */
const readerLifeMs = 5000

function pausedReader(target: Target, room: string): Socket {
  const { hostname, port } = new URL(target.baseUrl)
  const reader = connect(Number(port), hostname)
  reader.on('error', () => undefined)
  reader.write(
    [
      `GET /${encodeURIComponent(room)} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  )
  reader.pause()
  return reader
}

/**
 * Has `readers` paused readers join `room` of `target`, `joinGapMs` apart, each for a few seconds,
 * while a writer inserts and deletes a large text. Resolves once the last reader is gone.
 */
export async function overflowSlowReaders(
  target: Target,
  room: string,
  readers: number,
  joinGapMs: number,
): Promise<void> {
  const doc = new Y.Doc()
  const text = doc.getText('text')
  const writer = new BenchClient(target, room, { doc })
  await writer.synced
  const visits = Array.from({ length: readers }, async (_, index) => {
    await sleep(index * joinGapMs)
    const reader = pausedReader(target, room)
    await sleep(readerLifeMs)
    reader.destroy()
  })
  const chunk = 'x'.repeat(chunkChars)
  await paced(updatesPerSecond, (readers - 1) * joinGapMs + readerLifeMs, () => {
    text.insert(0, chunk)
    text.delete(0, chunkChars)
  })
  await Promise.all(visits)
  await writer.close()
}
