// A real webhook receiver for tests: a node:http server on 127.0.0.1 and a free port that records
// every call (raw body, parsed body, headers) and answers as the test says, or never.
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import type { WebhookEventType, WebhookPayload } from '../../webhooks/webhook-event.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { until } from '../helpers/until.js'

/** One call as the receiver got it. */
export interface ReceivedCall {
  readonly headers: IncomingHttpHeaders
  readonly rawBody: string
  readonly body: WebhookPayload
  /** Date.now() when the body had arrived. */
  readonly receivedAtMs: number
}

/** A status to answer with, or 'hang' to never answer. */
export type Answer = number | 'hang'

/** A running receiver; closed after its test. */
export interface Receiver {
  readonly url: string
  readonly calls: ReceivedCall[]
  /** Calls whose connection the sender closed before they were answered. */
  readonly abandoned: () => number
  /** The calls of one event type, in the order they arrived. */
  of(event: WebhookEventType): ReceivedCall[]
  /** Resolves once `count` calls have arrived. */
  waitForCalls(count: number, what?: string): Promise<void>
}

/** Starts a receiver that answers the n-th call (from 0) with `answer(n)`: 200 by default. */
export async function startReceiver(
  t: TestContext,
  answer: (index: number, call: ReceivedCall) => Answer = () => 200,
): Promise<Receiver> {
  const calls: ReceivedCall[] = []
  let abandoned = 0
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8')
      const call = {
        headers: request.headers,
        rawBody,
        body: JSON.parse(rawBody) as WebhookPayload,
        receivedAtMs: Date.now(),
      }
      calls.push(call)
      const status = answer(calls.length - 1, call)
      if (status === 'hang') {
        response.on('close', () => abandoned++)
        return
      }
      response.writeHead(status, { 'Content-Type': 'text/plain' }).end('answered')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  deferCleanup(t, () => {
    server.closeAllConnections()
    return new Promise((resolve) => server.close(resolve))
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    calls,
    abandoned: () => abandoned,
    of: (event) => calls.filter((call) => call.body.event === event),
    waitForCalls: (count, what = `${count} webhook calls`) =>
      until(() => calls.length >= count, { what }),
  }
}
