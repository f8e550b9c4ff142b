// createCollabServer: puts the HTTP router, the WebSocket upgrade, connections, rooms and the
// heartbeat together. Adapters (store, logger, authenticator, observers) come in through options;
// this module never picks them.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { setTimeout as delay } from 'node:timers/promises'
import { getRequestListener } from '@hono/node-server'
import { WebSocketServer } from 'ws'
import { parseRoomPath } from '../protocol/room-name.js'
import { accessLog } from './access-log.js'
import { type Principal, allowEveryone } from './auth.js'
import type { LinkHello } from './cluster.js'
import type { ForwardedClient } from './cluster/forwarded-client.js'
import { LinkedSocket } from './cluster/linked-socket.js'
import {
  type CollabObserver,
  type ConnectionOrigin,
  type ConnectionSummary,
  Observers,
} from './events.js'
import { observerOfHooks } from './hooks.js'
import { DocumentService } from './documents/document-service.js'
import type { DocumentFormats } from './documents/document-formats.js'
import type { CollabDocuments } from './documents/documents.js'
import { createHttpApp } from './http/app.js'
import { createOriginPolicy } from './http/origins.js'
import { type RequestAuthContext, authenticateRequest } from './http/request-auth.js'
import type { ServerStats } from './http/health.js'
import type { AppBindings } from './http/app-env.js'
import { refusalErrorOf } from './http/replies.js'
import { requestPath } from './http/request-path.js'
import { createStaticFiles } from './http/static-files.js'
import { type UpgradeBindings, routeUpgrade } from './http/upgrade-bridge.js'
import { TrustedProxies } from './limits/client-address.js'
import { ConnectionAdmission } from './limits/connection-admission.js'
import { handshakeServerOptions, startUpgradeDeadline } from './limits/handshake-timeouts.js'
import { type CollabServerOptions, defaultLimits, type ServerLimits } from './options.js'
import type { Room } from './rooms/room.js'
import { Revocations } from './revocations.js'
import { OwnedElsewhereError, RoomRegistry } from './rooms/room-registry.js'
import { VersionHistory, defaultVersionRetention } from './rooms/version-history.js'
import { StoreHealth } from './store-health.js'
import { Connection } from './ws/connection.js'
import type { ConnectionSocket } from './ws/connection-socket.js'
import { startExpirySweep } from './ws/expiry.js'
import { startHeartbeat } from './ws/heartbeat.js'
import { FrameEncoder } from './ws/outgoing-frame.js'
import { createReasonedWebSocketClass } from './ws/reasoned-web-socket.js'
import { Traffic } from './ws/traffic.js'
import { upgradeToDocument } from './ws/upgrade.js'
import { CloseCode } from '../protocol/close-codes.js'

export { defaultLimits, type CollabServerOptions, type ServerLimits } from './options.js'
export {
  type Cluster,
  type ClusterStatus,
  ClusterUnavailableError,
  type ForwardedPrincipal,
  type Link,
  type LinkHello,
  type LinkPeer,
  type ClusterEvents,
  OwnerGoneError,
  type Placement,
} from './cluster.js'
export type { ServerStats } from './http/health.js'
export {
  type Actor,
  type CollabDocuments,
  type ContentWrite,
  type DocumentBackup,
  type DocumentChange,
  type DocumentEntry,
  type DocumentEntryPage,
  type DocumentInspection,
  DocumentNotFoundError,
  type RestoreResult,
  type VersionContent,
  VersionNotFoundError,
  type WriteOptions,
} from './documents/documents.js'
export {
  type DocumentFormats,
  FormatError,
  type RenderedDocument,
} from './documents/document-formats.js'
export { type VersionRetention, defaultVersionRetention } from './rooms/version-history.js'
export type { CollabMetrics, MetricsSource } from './metrics.js'
export { type MessageType, messageTypes, Traffic } from './ws/traffic.js'
export type { Author, ChangeDetails, CollabHooks, StoreErrorDetails } from './hooks.js'
export {
  type Access,
  type Authenticate,
  type AuthRequest,
  type Principal,
  type Refusal,
  allowEveryone,
  refuse,
} from './auth.js'
export type {
  AwarenessChange,
  CollabDocument,
  CollabObserver,
  Compaction,
  ConnectionOrigin,
  ConnectionSummary,
  Origin,
  RefusedUpgrade,
  StoreOperation,
  UpdateTiming,
} from './events.js'

/**
 * A collaboration server. It listens on its own `httpServer` (`listen`), or an app mounts it in
 * its own: `attach` takes the server's upgrades, and the app's request listener passes
 * `handleRequest` the requests its own routes do not answer.
 */
export interface CollabServer {
  /** The server's own HTTP server, used by `listen`. */
  readonly httpServer: Server
  listen(port: number, host: string): Promise<AddressInfo>
  /**
   * Serves WebSocket upgrades on an app's own HTTP(S) server (its 'upgrade' events); the server
   * is ready (/readyz) once that one listens.
   */
  attach(server: Server): void
  /**
   * Answers a plain HTTP request (probes, /metrics, editor files); pass it as a listener as it
   * is, or call it for the requests an app's own routes leave.
   */
  readonly handleRequest: (request: IncomingMessage, response: ServerResponse) => void
  /** Takes an 'upgrade' event: a document's WebSocket, or a refusal as an HTTP response. */
  readonly handleUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void
  stats(): ServerStats
  /**
   * The documents outside the WebSocket path: listing, reading, server-side writes, versions,
   * restore, delete and backups (server/documents/documents.ts). Usable without `listen`.
   */
  readonly documents: CollabDocuments
  /**
   * Graceful shutdown (a drain): /readyz turns 503 at once; after `drainDelayMs` new upgrades
   * are refused, every document is written, then clients are closed with 1012 so that they
   * reconnect elsewhere; those still connected after the shutdown timeout are dropped.
   * Resolves once every document was written and unloaded. Idempotent.
   */
  close(): Promise<void>
}

/** The formats as a function that loads them once; undefined when there are none. */
function formatsLoader(
  formats: CollabServerOptions['formats'],
): (() => Promise<DocumentFormats>) | undefined {
  if (formats === undefined) return undefined
  if (typeof formats !== 'function') return () => Promise.resolve(formats)
  let loading: Promise<DocumentFormats> | undefined
  return () =>
    (loading ??= formats().catch((error: unknown) => {
      loading = undefined
      throw error
    }))
}

/** How old the revocation list may be before it is read again, in a cluster. */
const revocationsRefreshMs = 5_000

/** Where the server is in its life, as /readyz and /healthz report it. */
type Phase = 'starting' | 'ready' | 'draining'

/** Builds a server. Nothing listens until `listen`; the caller closes the store after `close`. */
export function createCollabServer(options: CollabServerOptions): CollabServer {
  const limits: ServerLimits = { ...defaultLimits, ...options.limits }
  const { logger } = options
  const startedAtMs = Date.now()
  const storeHealth = new StoreHealth(options.store, logger)
  const traffic = new Traffic()
  const builtIn: CollabObserver[] = [storeHealth, accessLog(logger)]
  if (options.metrics) builtIn.push(options.metrics.observer)
  if (options.hooks) builtIn.push(observerOfHooks(options.hooks))
  const observers = new Observers([...builtIn, ...(options.observers ?? [])], logger)
  const history = new VersionHistory(
    options.store,
    options.versionRetention ?? defaultVersionRetention,
    logger,
  )
  const { cluster } = options
  const registry = new RoomRegistry(
    { store: options.store, limits, observers, history, logger },
    limits.unloadGraceMs,
    cluster,
  )
  const documents = new DocumentService({ store: options.store, registry, history, observers })
  const connections = new Set<Connection>()
  /** Clients whose connections run on their document's owner, another instance. */
  const forwarded = new Set<ForwardedClient>()
  const everyClient = {
    *[Symbol.iterator]() {
      yield* connections
      yield* forwarded
    },
  }
  /** The connections whose principal's credential expires (server/ws/expiry.ts). */
  const expiring = new Set<Connection>()
  const connectionsGone: Array<() => void> = []
  let lastConnectionId = 0
  let phase: Phase = 'starting'
  /** Set once the drain delay has passed: upgrades are refused from then on. */
  let isRefusingUpgrades = false
  let closing: Promise<void> | undefined
  const becomeReady = (): void => {
    if (phase === 'starting') phase = 'ready'
  }

  const webSocketServer = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxFrameBytes,
    WebSocket: createReasonedWebSocketClass(limits.maxFrameBytes),
  })
  const connectionContext = {
    limits,
    frames: new FrameEncoder(),
    traffic,
    onClosed: (connection: Connection, summary: ConnectionSummary) => {
      connections.delete(connection)
      expiring.delete(connection)
      observers.notify('connectionClosed', connection.room.name, summary)
      registry.release(connection.room.name, connection.room)
      settleIfGone()
    },
  }
  const settleIfGone = (): void => {
    if (connections.size > 0 || forwarded.size > 0) return
    for (const resolve of connectionsGone.splice(0)) resolve()
  }
  const status = (): ServerStats['status'] => {
    if (phase !== 'ready') return phase
    if (storeHealth.isFailing) return 'store-failing'
    if (cluster?.status().status === 'degraded') return 'cluster-degraded'
    return 'ok'
  }
  const stats = (): ServerStats => ({
    status: status(),
    documents: registry.size,
    connections: connections.size + forwarded.size,
    uptimeSeconds: Math.round((Date.now() - startedAtMs) / 1000),
    store: storeHealth.status,
    ...(cluster && { cluster: cluster.status() }),
  })
  const openConnection = (
    socket: ConnectionSocket,
    room: Room,
    origin: ConnectionOrigin,
    acknowledgesStored: boolean,
  ): void => {
    const connection = new Connection(socket, room, origin, connectionContext, acknowledgesStored)
    connections.add(connection)
    if (origin.principal.expiresAtMs !== undefined) expiring.add(connection)
  }

  // Other instances write the list too: it is read again when older than that.
  const revocations = new Revocations(options.store, cluster ? revocationsRefreshMs : Infinity)
  const auth: RequestAuthContext = {
    authenticate: options.authenticate ?? allowEveryone,
    revocations,
    checkOrigin: createOriginPolicy(options.allowedOrigins ?? '*', options.tls ? 'https' : 'http'),
    logger,
  }
  const admission = new ConnectionAdmission(
    limits,
    registry,
    new TrustedProxies(options.trustedProxies ?? []),
  )
  const upgradeContext = {
    webSocketServer,
    admission,
    registry,
    limits,
    auth,
    isDraining: () => isRefusingUpgrades,
    isStoreFailing: () => storeHealth.isFailing,
    nextConnectionId: () => ++lastConnectionId,
    onOpen: openConnection,
    cluster,
    onForwarded: (client: ForwardedClient) => forwarded.add(client),
    onForwardedClosed: (client: ForwardedClient) => {
      forwarded.delete(client)
      settleIfGone()
    },
    logger,
  }

  // A connection another instance forwards: the same checks as an upgrade, then a Connection on
  // a socket over the link.
  const acceptLink = async (hello: LinkHello, socket: LinkedSocket): Promise<void> => {
    const name = hello.document
    if (phase === 'draining') {
      socket.close(CloseCode.serviceRestart, 'server restarting; reconnect')
      return
    }
    if (registry.holderCount(name) >= limits.maxConnectionsPerRoom) {
      socket.close(
        CloseCode.tryAgainLater,
        `the document has reached its limit of ${limits.maxConnectionsPerRoom} connections`,
      )
      return
    }
    if (storeHealth.isFailing && !registry.isOpen(name)) {
      socket.close(CloseCode.tryAgainLater, 'the server cannot store documents right now')
      return
    }
    let room: Room
    try {
      room = await registry.acquire(name)
    } catch (error) {
      if (error instanceof OwnedElsewhereError) {
        socket.close(CloseCode.serviceRestart, 'the document moved to another instance; reconnect')
      } else {
        socket.close(CloseCode.tryAgainLater, 'the document could not be loaded; try again later')
      }
      return
    }
    if (!socket.isOpen) {
      registry.release(name, room)
      return
    }
    const principal: Principal = {
      ...hello.principal,
      access: (document) => (document === name ? hello.access : null),
    }
    openConnection(
      socket,
      room,
      {
        kind: 'connection',
        connectionId: ++lastConnectionId,
        principal,
        access: hello.access,
        clientAddress: hello.clientAddress,
      },
      hello.acknowledgesStored,
    )
    socket.start()
  }
  cluster?.serve({
    linkOpened: (hello, link) => {
      const socket = new LinkedSocket(link, limits.maxBufferedBytes)
      void acceptLink(hello, socket)
      return socket.peer
    },
    ownershipLost: (document) => void registry.closeMoved(document),
    revoked: (userId, revokedAtMs) => {
      revocations.merge(userId, revokedAtMs)
      const closedConnections = closeConnectionsOf(userId)
      logger.info({ userId, closedConnections }, 'another instance revoked a user’s credentials')
    },
  })
  /** Closes the connections of this instance whose user's credentials were revoked. */
  const closeConnectionsOf = (userId: string): number => {
    let closed = 0
    for (const client of everyClient) {
      if (client.userId !== userId) continue
      client.closeForRevocation()
      closed++
    }
    return closed
  }
  const revokeUser = async (userId: string) => {
    const revokedAtMs = await revocations.revoke(userId)
    const closedConnections = closeConnectionsOf(userId)
    // Stored first: an instance that misses the announcement reads it at its next start.
    await cluster?.announceRevocation(userId, revokedAtMs).catch((error: unknown) => {
      logger.error({ err: error, userId }, 'could not tell the other instances of a revocation')
    })
    logger.info({ userId, closedConnections }, 'revoked a user’s credentials')
    return { revokedAtMs, closedConnections }
  }
  const upgradeDocument = async (request: Request, bindings: UpgradeBindings) => {
    const startedAtMs = performance.now()
    const response = await upgradeToDocument(upgradeContext, request, bindings)
    const error = refusalErrorOf(response)
    if (error !== undefined) {
      const parsed = parseRoomPath(requestPath(bindings.incoming))
      observers.notify('upgradeRefused', {
        document: parsed.ok ? parsed.name : undefined,
        status: response.status,
        error,
        clientAddress: admission.clientAddress(bindings.incoming),
        durationMs: performance.now() - startedAtMs,
      })
    }
    return response
  }
  options.metrics?.bind({ stats, traffic })
  const authenticateApiRequest = (request: Request, bindings: AppBindings) =>
    authenticateRequest(auth, request, admission.clientAddress(bindings.incoming))
  const app = createHttpApp({
    logger,
    stats,
    metrics: options.metrics,
    staticFiles: options.staticDirectory ? createStaticFiles(options.staticDirectory) : undefined,
    admin: { authenticate: authenticateApiRequest, revokeUser },
    documentApi: {
      documents,
      formats: formatsLoader(options.formats),
      authenticate: authenticateApiRequest,
      isAuthenticationOn: options.authenticate !== undefined,
      isStoreFailing: () => storeHealth.isFailing,
      maxRequestBytes: limits.maxRequestBytes,
      checkOrigin: auth.checkOrigin,
      logger,
    },
    upgradeDocument,
  })
  const requestListener = getRequestListener((request, bindings) => app.fetch(request, bindings), {
    overrideGlobalObjects: false,
  })
  // An app that mounts the handlers is listening by the time a request reaches them.
  const handleRequest = (request: IncomingMessage, response: ServerResponse): void => {
    becomeReady()
    void requestListener(request, response)
  }
  const handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    becomeReady()
    const cancelDeadline = startUpgradeDeadline(socket, limits.handshakeTimeoutMs)
    void routeUpgrade(
      (fetchRequest, bindings) => app.fetch(fetchRequest, bindings),
      logger,
      request,
      socket,
      head,
    ).finally(cancelDeadline)
  }
  const handshake = handshakeServerOptions(limits.handshakeTimeoutMs)
  const httpServer = options.tls
    ? createHttpsServer(
        { ...handshake, cert: options.tls.cert, key: options.tls.key },
        handleRequest,
      )
    : createServer(handshake, handleRequest)
  httpServer.on('upgrade', handleUpgrade)
  const stopHeartbeat = startHeartbeat(everyClient, limits.heartbeatIntervalMs)
  const stopExpirySweep = startExpirySweep(expiring)

  async function drain(): Promise<void> {
    phase = 'draining'
    logger.info(
      { connections: connections.size, documents: registry.size, delayMs: limits.drainDelayMs },
      'draining: /readyz answers 503; upgrades are refused once the drain delay has passed',
    )
    if (limits.drainDelayMs > 0) await delay(limits.drainDelayMs)
    isRefusingUpgrades = true
    stopHeartbeat()
    stopExpirySweep()
    // Written while their clients are still connected, so that a client closed with 1012 has
    // everything it sent in the store.
    await registry.compactEvery()
    for (const client of everyClient) client.closeForShutdown()
    if (connections.size > 0 || forwarded.size > 0) {
      let deadline: NodeJS.Timeout | undefined
      await Promise.race([
        new Promise<void>((resolve) => connectionsGone.push(resolve)),
        new Promise<void>((resolve) => {
          deadline = setTimeout(resolve, limits.shutdownTimeoutMs)
        }),
      ])
      clearTimeout(deadline)
      for (const client of everyClient) client.terminate()
    }
    // Listening until now, new upgrades got a 503 saying why rather than a refused connection.
    if (httpServer.listening) {
      httpServer.close()
      httpServer.closeIdleConnections()
    }
    await registry.closeAll().finally(() => {
      storeHealth.close()
      webSocketServer.close()
    })
  }

  return {
    httpServer,
    handleRequest,
    handleUpgrade,
    stats,
    documents,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject)
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject)
          becomeReady()
          resolve(httpServer.address() as AddressInfo)
        })
      }),
    attach: (server) => {
      server.on('upgrade', handleUpgrade)
      if (server.listening) becomeReady()
      else server.once('listening', becomeReady)
    },
    close: () => (closing ??= drain()),
  }
}
