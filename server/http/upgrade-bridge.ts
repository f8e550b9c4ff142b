// Routes a Node 'upgrade' event through the HTTP app: the request becomes a fetch Request, the
// app answers it, and a refusal is written to the raw socket as a real HTTP response (status,
// headers, JSON body) before any WebSocket opens. A handler that takes the socket says so.
import type { IncomingMessage } from 'node:http'
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from '../logger.js'
import { HttpRefusal, refusalResponse } from './replies.js'

/** The raw upgrade, as the app's handlers see it in `c.env`. */
export interface UpgradeBindings {
  readonly incoming: IncomingMessage
  readonly upgrade: {
    readonly socket: Duplex
    readonly head: Buffer
    /** Set by the handler that handed the socket to the WebSocket server. */
    isHandedOver: boolean
  }
}

/** What the bridge calls: the app's fetch. */
export type UpgradeFetch = (
  request: Request,
  bindings: UpgradeBindings,
) => Response | Promise<Response>

// Hop-by-hop and framing headers are the bridge's to write.
const skippedHeaders = new Set(['connection', 'content-length', 'keep-alive', 'transfer-encoding'])

/** The incoming request as a fetch Request; throws a TypeError for unusable headers or URL. */
function toRequest(incoming: IncomingMessage): Request {
  const headers = new Headers()
  const raw = incoming.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!)
  // Only the path matters to the router; the Host header is the client's to choose.
  const url = new URL(incoming.url ?? '/', 'http://localhost')
  return new Request(url, { method: incoming.method ?? 'GET', headers })
}

async function writeResponse(socket: Duplex, response: Response): Promise<void> {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const body = Buffer.from(await response.arrayBuffer())
  const lines = [
    `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`,
    'Connection: close',
    `Content-Length: ${body.length}`,
  ]
  response.headers.forEach((value, name) => {
    if (!skippedHeaders.has(name)) lines.push(`${name}: ${value}`)
  })
  socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]))
}

/**
 * Handles one 'upgrade' event with `fetch`. Never rejects: an error answers 500 (or 400 for a
 * request that cannot be represented) and is logged.
 */
export async function routeUpgrade(
  fetch: UpgradeFetch,
  logger: Logger,
  incoming: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  // A client may reset the socket while its room loads; without a listener that would throw.
  const ignoreSocketError = (): void => undefined
  socket.on('error', ignoreSocketError)
  const bindings: UpgradeBindings = { incoming, upgrade: { socket, head, isHandedOver: false } }
  let response: Response
  try {
    let request: Request
    try {
      request = toRequest(incoming)
    } catch {
      response = refusalResponse(
        HttpRefusal.badRequest,
        'the request line or headers are malformed',
      )
      await writeResponse(socket, response)
      return
    }
    response = await fetch(request, bindings)
  } catch (error) {
    logger.error({ err: error }, 'upgrade failed')
    response = refusalResponse(HttpRefusal.internal, 'internal server error')
  }
  if (bindings.upgrade.isHandedOver) {
    socket.off('error', ignoreSocketError)
    return
  }
  // The URL may carry a token in its query; the logger redacts it (server/logger.ts).
  logger.debug({ url: incoming.url, status: response.status }, 'refused an upgrade')
  await writeResponse(socket, response).catch((error: unknown) => {
    logger.debug({ err: error }, 'could not write the upgrade refusal')
    socket.destroy()
  })
}
