// A request body size limit as Hono middleware. Hono's own bodyLimit re-creates the request from
// the node-server request object, which fails when the body has no Content-Length (chunked, or
// a POST without a body); this one builds a plain Request from the bytes it read.
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.js'
import { HttpRefusal, refusalResponse } from './replies.js'

/** Refuses a body over `maxBytes` with 413, naming `flag` when the limit has one. */
export function limitBody(maxBytes: number, flag?: string): MiddlewareHandler<AppEnv> {
  const tooLarge = () =>
    refusalResponse(
      HttpRefusal.payloadTooLarge,
      `the body is over ${maxBytes} bytes${flag ? ` (${flag})` : ''}`,
    )
  return async (c, next) => {
    const request = c.req.raw
    const declared = request.headers.get('content-length')
    if (declared !== null && !request.headers.has('transfer-encoding')) {
      if (Number(declared) > maxBytes) return tooLarge()
      return next()
    }
    if (!request.body) return next()
    const chunks: Uint8Array[] = []
    let size = 0
    for await (const chunk of request.body as AsyncIterable<Uint8Array>) {
      size += chunk.length
      if (size > maxBytes) return tooLarge()
      chunks.push(chunk)
    }
    c.req.raw = new Request(request.url, {
      method: request.method,
      headers: request.headers,
      body: Buffer.concat(chunks, size),
    })
    return next()
  }
}
