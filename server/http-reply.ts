// What plain HTTP requests and WebSocket upgrades share: the request path, and JSON replies.
import { type IncomingMessage, STATUS_CODES, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'

/** The request's URL path, without the query string (still percent-encoded). */
export function requestPath(request: IncomingMessage): string {
  return (request.url ?? '/').split('?', 1)[0] ?? '/'
}

/** Sends a JSON body with a status code on a normal HTTP response. */
export function replyJson(response: ServerResponse, status: number, body: object): void {
  const json = JSON.stringify(body)
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
  })
  response.end(json)
}

/**
 * Refuses a WebSocket upgrade with a real HTTP response (status and JSON `{ error, reason }`)
 * and closes the socket: the client learns why, and no WebSocket ever opens.
 */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const json = JSON.stringify({ error: STATUS_CODES[status] ?? 'Error', reason })
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(json)}\r\n\r\n` +
      json,
  )
}
