// A webhook receiver on loopback for the benchmark and its figures: every call is read whole and
// handed to `answer`, which says what status to reply with.
import { once } from 'node:events'
import { type IncomingHttpHeaders, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One call as it arrived. */
export interface ArrivedCall {
  /** Calls before this one. */
  readonly index: number
  /** performance.now() when the body had arrived. */
  readonly arrivedAtMs: number
  readonly headers: IncomingHttpHeaders
  readonly rawBody: string
}

/** A listening receiver; `close` stops it (again: nothing). */
export interface WebhookReceiver {
  /** The URL to give the server's --webhook-url. */
  readonly url: string
  /** Calls received so far. */
  calls(): number
  close(): Promise<void>
}

/** Starts a receiver on a free loopback port that answers each call with `answer(call)`. */
export async function startWebhookReceiver(
  answer: (call: ArrivedCall) => number,
): Promise<WebhookReceiver> {
  let calls = 0
  const server = createServer((request, response) => {
    const index = calls++
    let rawBody = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => (rawBody += chunk))
    request.once('end', () => {
      const call = { index, arrivedAtMs: performance.now(), headers: request.headers, rawBody }
      response.writeHead(answer(call)).end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/collab-events`,
    calls: () => calls,
    async close() {
      if (!server.listening) return
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}
