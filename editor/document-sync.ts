// How an editor keeps its document in sync: the y-websocket provider, the optional IndexedDB
// cache that keeps offline edits across reloads, and the status they add up to. This module, not
// the provider, decides when to reconnect and with which token, and what the server's refusals
// mean (close codes: protocol/README.md §5; read-only refusals: §2).
import { readAuthMessage } from 'y-protocols/auth'
import type { Awareness } from 'y-protocols/awareness'
import { IndexeddbPersistence } from 'y-indexeddb'
import { messageAuth, WebsocketProvider } from 'y-websocket'
import type * as Y from 'yjs'
import { CloseCode } from '../protocol/close-codes.js'
import { type ConnectionProblem, connectionProblems } from './connection-problem.js'
import { Emitter } from './emitter.js'
import { trackStoredUpdates } from './stored-updates.js'
import type { UnsavedChanges } from './unsaved-changes.js'

/**
 * `connecting` until the first connection opens or fails; `connected` while a connection is
 * open; `offline` once one closed or failed: reconnecting, unless a problem stopped that.
 */
export type ConnectionStatus = 'connecting' | 'connected' | 'offline'

/** Events of a `DocumentSync`. */
export interface SyncEvents {
  status: ConnectionStatus
  /** True once the document holds the server's state; false again after a disconnect. */
  synced: boolean
  /** The server refused an update because this user may only read (emitted once, with true). */
  readonly: boolean
  /** A problem began (or changed), or ended (null). */
  problem: ConnectionProblem | null
  /** What the server has stored of this editor's changes may have changed (`isAllStored`). */
  stored: boolean
}

/** Options of `syncDocument`. */
export interface SyncOptions {
  serverUrl: string
  document: string
  /** The token of the first connection (else `getToken`'s). */
  token?: string
  /** Called for the token of every connection attempt (but a first one that has `token`). */
  getToken?: () => Promise<string>
  /** The awareness the provider sends and fills; the caller owns it. */
  awareness: Awareness
  /** This user may only read from the start. */
  isReadOnly: boolean
  /** Where refused changes are taken back. */
  changes: UnsavedChanges
  offlineCache: boolean
  maxBackoffMs: number
}

/** A document's provider and cache with their status; `destroy` closes both. */
export interface DocumentSync {
  readonly provider: WebsocketProvider
  readonly cache: IndexeddbPersistence | undefined
  readonly events: Emitter<SyncEvents>
  status(): ConnectionStatus
  problem(): ConnectionProblem | null
  /** True when the user may only read: from the start, or since the server said so. */
  isReadOnly(): boolean
  /**
   * True while connected and synced, with everything this editor holds stored by the server
   * (its acknowledgements, protocol/README.md §6, count every update sent).
   */
  isAllStored(): boolean
  destroy(): void
}

/** First wait after 4429, doubled for each further one within `rateLimitMemoryMs`. */
const rateLimitBackoffMs = 1000
const rateLimitMemoryMs = 60_000

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
  const { changes, getToken, maxBackoffMs } = options
  const events = new Emitter<SyncEvents>()
  const cache = options.offlineCache
    ? new IndexeddbPersistence(`collab-editor:${options.serverUrl}/${options.document}`, doc)
    : undefined
  // Emitted once per turn, however many messages went out or acknowledgements came in.
  let isStoredQueued = false
  const stored = trackStoredUpdates(
    doc,
    (origin) => origin !== provider && origin !== cache,
    () => {
      if (isStoredQueued) return
      isStoredQueued = true
      queueMicrotask(() => {
        isStoredQueued = false
        events.emit('stored', isAllStored())
      })
    },
  )
  // y-websocket appends the name to the URL as it is; the server URL-decodes the path, so the
  // name is encoded here to keep '%', '?' and '#' in it (protocol/README.md §1).
  const provider = new WebsocketProvider(
    options.serverUrl,
    encodeURIComponent(options.document),
    doc,
    {
      connect: false,
      awareness: options.awareness,
      params:
        options.token === undefined
          ? { ...stored.params }
          : { ...stored.params, token: options.token },
      WebSocketPolyfill: stored.WebSocket,
      maxBackoffTime: maxBackoffMs,
      // The provider would stop for every 44xx code and reconnect on its own for the rest, with
      // whatever token it has; onClose below decides instead.
      shouldReconnect: () => true,
    },
  )

  stored.attach(provider)
  const isAllStored = (): boolean =>
    provider.wsconnected && provider.synced && stored.isAllStored(provider.ws)

  let status: ConnectionStatus = 'connecting'
  let problem: ConnectionProblem | null = null
  let isReadOnly = options.isReadOnly
  /** The open connection refused an update as read-only. */
  let isConnectionDenied = false
  /** Closed connections and token failures since the last sync: the backoff's exponent. */
  let failures = 0
  let rateLimits = 0
  let lastRateLimitAtMs = 0
  /** Numbers the connection attempts; a token that arrives for a superseded one is dropped. */
  let attempt = 0
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  /** Reconnecting cannot help (or the sync is destroyed): no more attempts. */
  let isStopped = false
  let isGivenTokenUnused = options.token !== undefined

  const setStatus = (next: ConnectionStatus): void => {
    if (next === status) return
    status = next
    events.emit('status', next)
  }
  const setProblem = (next: ConnectionProblem | null): void => {
    if (next === problem) return
    problem = next
    events.emit('problem', next)
  }
  const stop = (reason: ConnectionProblem): void => {
    isStopped = true
    attempt++
    clearTimeout(retryTimer)
    setProblem(reason)
  }
  const backoffMs = (): number => Math.min(2 ** failures * 100, maxBackoffMs)

  // Never rejects: a failing getToken is a failed attempt, retried with backoff.
  const connect = async (): Promise<void> => {
    clearTimeout(retryTimer)
    const current = ++attempt
    if (getToken && !isGivenTokenUnused) {
      let token: unknown
      try {
        token = await getToken()
        if (typeof token !== 'string') throw new TypeError('getToken did not resolve to a string')
      } catch {
        if (current !== attempt) return
        failures++
        setStatus('offline')
        setProblem(connectionProblems.tokenFailed)
        scheduleConnect(backoffMs())
        return
      }
      if (current !== attempt) return
      provider.params = { ...provider.params, token }
    }
    isGivenTokenUnused = false
    provider.connect()
  }
  const scheduleConnect = (delayMs: number): void => {
    clearTimeout(retryTimer)
    retryTimer = setTimeout(() => void connect(), delayMs)
  }

  // `code` 0: closed here, by the provider's watchdog after 30 s without a message.
  const onClose = (code: number, wasSynced: boolean, wasDenied: boolean): void => {
    failures++
    switch (code) {
      case CloseCode.forbidden:
        return stop(connectionProblems.forbidden)
      case CloseCode.documentDeleted:
        // The cache would bring the deleted content back on the next load.
        void cache?.clearData()
        return stop(connectionProblems.documentDeleted)
      case CloseCode.credentialsExpired:
        if (!getToken) return stop(connectionProblems.sessionExpired)
        break
      case CloseCode.documentTooLarge:
        // The refused change is still in the document: take it back, or every reconnection
        // would send it again and be closed the same way.
        if (!changes.revertLatest()) return stop(connectionProblems.documentTooLarge)
        changes.markSaved()
        setProblem(connectionProblems.changeTooLarge)
        break
      case CloseCode.rateLimited: {
        const nowMs = Date.now()
        rateLimits = nowMs - lastRateLimitAtMs < rateLimitMemoryMs ? rateLimits + 1 : 1
        lastRateLimitAtMs = nowMs
        setProblem(connectionProblems.rateLimited)
        const waitMs = rateLimitBackoffMs * 2 ** (rateLimits - 1)
        return scheduleConnect(Math.max(Math.min(waitMs, maxBackoffMs), rateLimitBackoffMs))
      }
      default:
        // What this connection carried reached the server (a sync step 2 with what the server
        // lacked went out when the server's sync step 1 came in).
        if (wasSynced && !wasDenied) changes.markSaved()
    }
    scheduleConnect(backoffMs())
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
  provider.on('connection-close', (event) => {
    // Emitted before the provider schedules its own reconnection, which this turns into a no-op.
    const isWanted = provider.shouldConnect
    provider.shouldConnect = false
    const wasDenied = isConnectionDenied
    isConnectionDenied = false
    setStatus('offline')
    if (isWanted && !isStopped) onClose(event?.code ?? 0, provider.synced, wasDenied)
  })
  provider.on('sync', (isSynced) => {
    if (isSynced) {
      failures = 0
      if (problem?.kind === 'rate-limited' || problem?.kind === 'token-failed') setProblem(null)
    }
    events.emit('synced', isSynced)
  })
  // The 4413 notice stays until the user goes on editing.
  const onUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (problem?.kind !== 'document-too-large' || !problem.isRetrying) return
    if (origin !== provider && origin !== cache) setProblem(null)
  }
  doc.on('update', onUpdate)

  // The stock handler only logs the server's permission-denied message (§2).
  provider.messageHandlers[messageAuth] = (_encoder, decoder) => {
    readAuthMessage(decoder, doc, () => {
      isConnectionDenied = true
      if (!isReadOnly) {
        isReadOnly = true
        events.emit('readonly', true)
      }
      changes.revertUnsaved()
    })
  }

  // The browser knows before the socket does that the network is gone (a dead socket is only
  // noticed after y-websocket's 30 s silence timeout), and when it is back (skip the backoff).
  const goOffline = (): void => {
    attempt++
    clearTimeout(retryTimer)
    provider.disconnect()
    setStatus('offline')
  }
  const goOnline = (): void => {
    if (!isStopped && provider.ws === null) void connect()
  }
  window.addEventListener('offline', goOffline)
  window.addEventListener('online', goOnline)
  void connect()

  return {
    provider,
    cache,
    events,
    status: () => status,
    problem: () => problem,
    isReadOnly: () => isReadOnly,
    isAllStored,
    destroy() {
      events.clear()
      stored.destroy()
      isStopped = true
      attempt++
      clearTimeout(retryTimer)
      window.removeEventListener('offline', goOffline)
      window.removeEventListener('online', goOnline)
      doc.off('update', onUpdate)
      provider.awareness.setLocalState(null)
      provider.destroy()
      void cache?.destroy()
    },
  }
}
