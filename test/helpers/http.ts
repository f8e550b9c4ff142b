// Plain HTTP requests against a test server, including WebSocket upgrades that get refused.
import { request } from 'node:http'

/** Status and parsed JSON body of a response. */
export interface JsonResponse {
  status: number
  body: Record<string, unknown>
}

/**
 * Sends a WebSocket upgrade request for a raw (already encoded) path and resolves with the HTTP
 * response when the server refuses it; rejects if the server accepts the upgrade.
 */
export function requestUpgrade(
  port: number,
  rawPath: string,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: rawPath,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    })
    req.on('upgrade', (_response, socket) => {
      socket.destroy()
      reject(new Error(`the server accepted the upgrade of ${rawPath}`))
    })
    req.on('response', (response) => {
      let text = ''
      response.on('data', (chunk: Buffer) => (text += chunk.toString()))
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: JSON.parse(text) as Record<string, unknown>,
        }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

/** GETs a path and parses the JSON body. */
export async function getJson(port: number, path: string): Promise<JsonResponse> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`)
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}
