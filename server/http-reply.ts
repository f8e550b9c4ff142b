// JSON replies, both for plain HTTP requests and for refused WebSocket upgrades.
import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'

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
