// createCollabServer: puts the HTTP router, the WebSocket upgrade, connections, rooms and the
// heartbeat together. Adapters (store, logger, authenticator, observers) come in through options;
// this module never picks them.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { getRequestListener } from '@hono/node-server'
import { type WebSocket, WebSocketServer } from 'ws'
import { allowEveryone } from './auth.js'
import { type ConnectionOrigin, Observers } from './events.js'
import { createHttpApp } from './http/app.js'
import { createOriginPolicy } from './http/origins.js'
import { type RequestAuthContext, authenticateRequest } from './http/request-auth.js'
import type { ServerStats } from './http/health.js'
import { createStaticFiles } from './http/static-files.js'
import { routeUpgrade } from './http/upgrade-bridge.js'
import { TrustedProxies } from './limits/client-address.js'
import { ConnectionAdmission } from './limits/connection-admission.js'
import { handshakeServerOptions, startUpgradeDeadline } from './limits/handshake-timeouts.js'
import { type CollabServerOptions, defaultLimits, type ServerLimits } from './options.js'
import type { Room } from './rooms/room.js'
import { Revocations } from './revocations.js'
import { RoomRegistry } from './rooms/room-registry.js'
import { StoreHealth } from './store-health.js'
import { Connection } from './ws/connection.js'
import { startExpirySweep } from './ws/expiry.js'
import { startHeartbeat } from './ws/heartbeat.js'
import { FrameEncoder } from './ws/outgoing-frame.js'
import { createReasonedWebSocketClass } from './ws/reasoned-web-socket.js'
import { upgradeToDocument } from './ws/upgrade.js'

export { defaultLimits, type CollabServerOptions, type ServerLimits } from './options.js'
export type { ServerStats } from './http/health.js'
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
  CollabObserver,
  Compaction,
  ConnectionOrigin,
  Origin,
  StoreOperation,
} from './events.js'

/**
 * A collaboration server. It listens on its own `httpServer` (`listen`), or an app mounts it in
 * its own: `handleRequest` for 'request' events and `handleUpgrade` for 'upgrade' events.
 */
export interface CollabServer {
  /** The server's own HTTP server, used by `listen`. */
  readonly httpServer: Server
  listen(port: number, host: string): Promise<AddressInfo>
  /** Answers a plain HTTP request (health probe, editor files); pass it as a listener as it is. */
  readonly handleRequest: (request: IncomingMessage, response: ServerResponse) => void
  /** Takes an 'upgrade' event: a document's WebSocket, or a refusal as an HTTP response. */
  readonly handleUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void
  stats(): ServerStats
  /**
   * Graceful shutdown: stops accepting, closes clients with 1001, writes every document.
   * Clients still connected after the shutdown timeout are dropped. Idempotent.
   */
  close(): Promise<void>
}

/** Builds a server. Nothing listens until `listen`; the caller closes the store after `close`. */
export function createCollabServer(options: CollabServerOptions): CollabServer {
  const limits: ServerLimits = { ...defaultLimits, ...options.limits }
  const { logger } = options
  const startedAtMs = Date.now()
  const storeHealth = new StoreHealth(options.store, logger)
  const observers = new Observers([storeHealth, ...(options.observers ?? [])], logger)
  const registry = new RoomRegistry(
    { store: options.store, limits, observers, logger },
    limits.unloadGraceMs,
  )
  const connections = new Set<Connection>()
  /** The connections whose principal's credential expires (server/ws/expiry.ts). */
  const expiring = new Set<Connection>()
  const connectionsGone: Array<() => void> = []
  let lastConnectionId = 0
  let closing: Promise<void> | undefined

  const webSocketServer = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxFrameBytes,
    WebSocket: createReasonedWebSocketClass(limits.maxFrameBytes),
  })
  const connectionContext = {
    limits,
    frames: new FrameEncoder(),
    onClosed: (connection: Connection) => {
      connections.delete(connection)
      expiring.delete(connection)
      registry.release(connection.room.name)
      if (connections.size === 0) for (const resolve of connectionsGone.splice(0)) resolve()
    },
  }
  const stats = (): ServerStats => ({
    status: closing ? 'draining' : storeHealth.isFailing ? 'store-failing' : 'ok',
    documents: registry.size,
    connections: connections.size,
    uptimeSeconds: Math.round((Date.now() - startedAtMs) / 1000),
    store: storeHealth.status,
  })

  const revocations = new Revocations(options.store)
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
    isDraining: () => closing !== undefined,
    isStoreFailing: () => storeHealth.isFailing,
    nextConnectionId: () => ++lastConnectionId,
    onOpen: (webSocket: WebSocket, room: Room, origin: ConnectionOrigin) => {
      const connection = new Connection(webSocket, room, origin, connectionContext)
      connections.add(connection)
      if (origin.principal.expiresAtMs !== undefined) expiring.add(connection)
    },
  }
  const revokeUser = async (userId: string) => {
    const revokedAtMs = await revocations.revoke(userId)
    let closedConnections = 0
    for (const connection of connections) {
      if (connection.origin.principal.userId !== userId) continue
      connection.closeForRevocation()
      closedConnections++
    }
    logger.info({ userId, closedConnections }, 'revoked a user’s credentials')
    return { revokedAtMs, closedConnections }
  }
  const app = createHttpApp({
    logger,
    stats,
    staticFiles: options.staticDirectory ? createStaticFiles(options.staticDirectory) : undefined,
    admin: {
      authenticate: (request, bindings) =>
        authenticateRequest(auth, request, admission.clientAddress(bindings.incoming)),
      revokeUser,
    },
    upgradeDocument: (request, bindings) => upgradeToDocument(upgradeContext, request, bindings),
  })
  const requestListener = getRequestListener((request, bindings) => app.fetch(request, bindings), {
    overrideGlobalObjects: false,
  })
  const handleRequest = (request: IncomingMessage, response: ServerResponse): void => {
    void requestListener(request, response)
  }
  const handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
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
  const stopHeartbeat = startHeartbeat(connections, limits.heartbeatIntervalMs)
  const stopExpirySweep = startExpirySweep(expiring)

  async function drain(): Promise<void> {
    stopHeartbeat()
    stopExpirySweep()
    storeHealth.close()
    if (httpServer.listening) {
      httpServer.close()
      httpServer.closeIdleConnections()
    }
    for (const connection of connections) connection.closeForShutdown()
    if (connections.size > 0) {
      let deadline: NodeJS.Timeout | undefined
      await Promise.race([
        new Promise<void>((resolve) => connectionsGone.push(resolve)),
        new Promise<void>((resolve) => {
          deadline = setTimeout(resolve, limits.shutdownTimeoutMs)
        }),
      ])
      clearTimeout(deadline)
      for (const connection of connections) connection.terminate()
    }
    await registry.closeAll()
    webSocketServer.close()
  }

  return {
    httpServer,
    handleRequest,
    handleUpgrade,
    stats,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject)
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject)
          resolve(httpServer.address() as AddressInfo)
        })
      }),
    close: () => (closing ??= drain()),
  }
}
