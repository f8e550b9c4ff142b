// Clients for tests: the stock y-websocket WebsocketProvider (with `ws` as its WebSocket), and a
// raw socket for sending hand-made frames.
import type { TestContext } from 'node:test'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { until } from './until.js'
import { deferCleanup } from './cleanup.js'

/** Options of the test providers: `params` go into the URL's query (e.g. `token`). */
export interface ProviderOptions {
  connect?: boolean
  params?: Record<string, string>
}

/** Connects a stock WebsocketProvider that the caller destroys. */
export function createProvider(
  url: string,
  room: string,
  doc: Y.Doc = new Y.Doc(),
  options: ProviderOptions = {},
): WebsocketProvider {
  return new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    connect: options.connect ?? true,
    disableBc: true,
    params: options.params,
  })
}

/** Connects a stock WebsocketProvider; destroyed after the test. */
export function connectProvider(
  t: TestContext,
  url: string,
  room: string,
  doc: Y.Doc = new Y.Doc(),
  options: ProviderOptions = {},
): WebsocketProvider {
  const provider = createProvider(url, room, doc, options)
  deferCleanup(t, () => {
    provider.destroy()
    doc.destroy()
  })
  return provider
}

/** Waits until the provider has completed its first sync with the server. */
export function waitSynced(provider: WebsocketProvider, timeoutMs = 10_000): Promise<void> {
  return until(() => provider.synced, {
    timeoutMs,
    what: `provider of ${provider.roomname} to sync`,
  })
}

/** A raw WebSocket to a room with every received frame recorded. */
export interface RawClient {
  socket: WebSocket
  frames: Uint8Array[]
  closed: Promise<{ code: number; reason: string }>
}

/**
 * Opens a raw WebSocket to a room (with `params` in its query and `headers` on its upgrade) and
 * waits for it to open.
 */
export async function openRawClient(
  t: TestContext,
  url: string,
  room: string,
  params: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<RawClient> {
  const query = new URLSearchParams(params).toString()
  const socket = new WebSocket(`${url}/${encodeURIComponent(room)}${query ? `?${query}` : ''}`, {
    headers,
  })
  const frames: Uint8Array[] = []
  socket.on('message', (data: Buffer) => frames.push(new Uint8Array(data)))
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  deferCleanup(t, () => socket.terminate())
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  return { socket, frames, closed }
}
