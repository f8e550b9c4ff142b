// A webhook receiver on loopback for the recording: it answers every `failEvery`-th call with 503,
// so that the server retries some deliveries, and all others with 204.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A listening receiver; `close` stops it. */
export interface WebhookReceiver {
  /** The URL to give the server's --webhook-url. */
  readonly url: string
  /** Calls received so far. */
  readonly calls: () => number
  close(): Promise<void>
}

/** Starts a receiver on a free loopback port. */
export async function startWebhookReceiver(failEvery: number): Promise<WebhookReceiver> {
  let calls = 0
  const server = createServer((request, response) => {
    calls++
    const status = calls % failEvery === 0 ? 503 : 204
    request.resume()
    request.once('end', () => response.writeHead(status).end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/collab-events`,
    calls: () => calls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
