// One webhook call as a bare POST over node:http or node:https, on a keep-alive agent per URL:
// the body written once, a deadline per attempt, the answer drained unread. fetch (undici) spent
// most of a call's CPU on web streams, AbortSignal.any/timeout and Request objects.
import {
  Agent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type RequestOptions,
} from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { urlToHttpOptions } from 'node:url'

/**
 * Where the calls for one URL go, and the agent that keeps their connections open between calls.
 * Built once per URL; whoever builds it destroys `agent` when done with it.
 */
export interface PostTarget {
  /** Keep-alive, at most `maxSockets` connections; an idle one does not keep the process up. */
  readonly agent: Agent
  readonly options: RequestOptions
  readonly request: (
    options: RequestOptions,
    onResponse: (response: IncomingMessage) => void,
  ) => ClientRequest
}

/** One call: what it says, how long it may take, and what ends it early. */
export interface PostCall {
  /** Content-Length included: the body goes out in one piece, never chunked. */
  readonly headers: OutgoingHttpHeaders
  readonly body: string
  /** From the call's start until the answer has been read, in milliseconds. */
  readonly timeoutMs: number
  /** Aborting it destroys the call and its connection. */
  readonly signal: AbortSignal
}

/** The status the receiver answered with, or why there is none (a network error, a timeout). */
export type PostResult =
  | { readonly status: number; readonly error?: undefined }
  | { readonly status?: undefined; readonly error: Error }

/** The target for `url` (http: or https:, without user info), over up to `maxSockets` connections. */
export function postTarget(url: URL, maxSockets: number): PostTarget {
  const isHttps = url.protocol === 'https:'
  const agentOptions = { keepAlive: true, maxSockets }
  const agent = isHttps ? new HttpsAgent(agentOptions) : new Agent(agentOptions)
  const { protocol, hostname, port, path } = urlToHttpOptions(url)
  return {
    agent,
    options: { protocol, hostname, port, path, method: 'POST', agent },
    request: isHttps ? httpsRequest : httpRequest,
  }
}

/**
 * POSTs `call.body` to `target`; never rejects. Redirects are not followed: a 3xx is an answer
 * like any other. The promise settles once the call is over and its connection free again, so a
 * caller that posts again at once reuses that connection.
 */
export function post(target: PostTarget, call: PostCall): Promise<PostResult> {
  const { headers, body, timeoutMs, signal } = call
  if (signal.aborted) return Promise.resolve({ error: new Error('aborted before it was sent') })
  return new Promise((resolve) => {
    let status: number | undefined
    let failure: Error | undefined
    const request = target.request({ ...target.options, headers }, (response) => {
      status = response.statusCode
      // Nothing of the answer is read; draining it lets the agent reuse the connection.
      response.resume()
    })
    // The deadline runs on while the answer drains, so a receiver that trickles its body does
    // not hold a connection; the status already read stands. unref: the socket of a call in
    // flight keeps the process up, the timer never needs to.
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${timeoutMs} ms`))
    }, timeoutMs).unref()
    const abort = () => request.destroy(new Error('aborted'))
    signal.addEventListener('abort', abort)
    request.on('error', (error) => (failure ??= error))
    // 'close' comes last whatever happened: after the answer, an error or a destroy.
    request.on('close', () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', abort)
      if (status !== undefined) resolve({ status })
      else resolve({ error: failure ?? new Error('closed without an answer') })
    })
    request.end(body)
  })
}
