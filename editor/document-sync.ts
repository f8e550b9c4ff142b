// How an editor keeps its document in sync: the y-websocket provider (reconnects with exponential
// backoff), the optional IndexedDB cache that keeps offline edits across reloads, and the status
// they add up to.
import { IndexeddbPersistence } from 'y-indexeddb'
import { WebsocketProvider } from 'y-websocket'
import type * as Y from 'yjs'
import { Emitter } from './emitter.js'

/**
 * `connecting` until the first connection opens or fails; `connected` while a connection is
 * open; `offline` once one closed or failed, while reconnecting.
 */
export type ConnectionStatus = 'connecting' | 'connected' | 'offline'

/** Events of a `DocumentSync`. */
export interface SyncEvents {
  status: ConnectionStatus
  /** True once the document holds the server's state; false again after a disconnect. */
  synced: boolean
}

/** Options of `syncDocument`. */
export interface SyncOptions {
  serverUrl: string
  document: string
  token?: string
  offlineCache: boolean
  maxBackoffMs: number
}

/** A document's provider and cache with their status; `destroy` closes both. */
export interface DocumentSync {
  readonly provider: WebsocketProvider
  readonly cache: IndexeddbPersistence | undefined
  readonly events: Emitter<SyncEvents>
  status(): ConnectionStatus
  destroy(): void
}

/**
 * Turns `ws:`, `wss:`, `http:` or `https:` URLs into the WebSocket base URL of a server (no
 * trailing slash). Throws RangeError for anything else.
 */
export function normalizeServerUrl(serverUrl: string): string {
  let url: URL
  try {
    url = new URL(serverUrl)
  } catch {
    throw new RangeError(`the server URL is not a URL: ${JSON.stringify(serverUrl)}`)
  }
  const protocols: Record<string, string> = {
    'ws:': 'ws:',
    'wss:': 'wss:',
    'http:': 'ws:',
    'https:': 'wss:',
  }
  const protocol = protocols[url.protocol]
  if (!protocol)
    throw new RangeError(`the server URL must start with ws:// or wss://, not ${url.protocol}`)
  url.protocol = protocol
  url.search = ''
  url.hash = ''
  return url.href.replace(/\/+$/, '')
}

/** Connects `doc` to its room on the server and, if asked, to its IndexedDB cache. */
export function syncDocument(doc: Y.Doc, options: SyncOptions): DocumentSync {
  const events = new Emitter<SyncEvents>()
  const cache = options.offlineCache
    ? new IndexeddbPersistence(`collab-editor:${options.serverUrl}/${options.document}`, doc)
    : undefined
  // y-websocket appends the name to the URL as it is; the server URL-decodes the path, so the
  // name is encoded here to keep '%', '?' and '#' in it (protocol/README.md §1).
  const provider = new WebsocketProvider(
    options.serverUrl,
    encodeURIComponent(options.document),
    doc,
    {
      params: options.token === undefined ? {} : { token: options.token },
      maxBackoffTime: options.maxBackoffMs,
    },
  )
  let status: ConnectionStatus = 'connecting'
  const setStatus = (next: ConnectionStatus): void => {
    if (next === status) return
    status = next
    events.emit('status', next)
  }
  provider.on('status', ({ status: providerStatus }) => {
    switch (providerStatus) {
      case 'connected':
        return setStatus('connected')
      case 'disconnected':
        return setStatus('offline')
      case 'connecting':
        // A retry after a lost or failed connection stays `offline` until it succeeds.
        if (status !== 'offline') setStatus('connecting')
    }
  })
  provider.on('connection-close', () => setStatus('offline'))
  provider.on('sync', (isSynced) => events.emit('synced', isSynced))

  // The browser knows before the socket does that the network is gone (a dead socket is only
  // noticed after y-websocket's 30 s silence timeout), and when it is back (skip the backoff).
  const goOffline = (): void => provider.disconnect()
  const goOnline = (): void => provider.connect()
  window.addEventListener('offline', goOffline)
  window.addEventListener('online', goOnline)

  return {
    provider,
    cache,
    events,
    status: () => status,
    destroy() {
      window.removeEventListener('offline', goOffline)
      window.removeEventListener('online', goOnline)
      provider.awareness.setLocalState(null)
      provider.destroy()
      void cache?.destroy()
      events.clear()
    },
  }
}
