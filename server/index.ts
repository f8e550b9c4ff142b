// createCollabServer: the HTTP server, its WebSocket upgrades, rooms and heartbeat, put together.
// Adapters (store, logger) come in through options; this module never picks them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import type { Connection } from './connection.js'
import { replyJson, requestPath } from './http-reply.js'
import { type CollabServerOptions, defaultLimits, type ServerLimits } from './options.js'
import { createReasonedWebSocketClass } from './reasoned-web-socket.js'
import { RoomRegistry } from './room-registry.js'
import { createStaticFiles } from './static-files.js'
import { handleUpgrade } from './upgrade.js'

export { defaultLimits, type CollabServerOptions, type ServerLimits } from './options.js'

/** Counts reported by /healthz. */
export interface ServerStats {
  status: 'ok' | 'draining'
  documents: number
  connections: number
  uptimeSeconds: number
}

/** A running collaboration server; `close` drains it. */
export interface CollabServer {
  readonly httpServer: Server
  listen(port: number, host: string): Promise<AddressInfo>
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
  const registry = new RoomRegistry(options.store, logger, limits)
  const connections = new Set<Connection>()
  const connectionsGone: Array<() => void> = []
  let closing: Promise<void> | undefined

  const webSocketServer = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxFrameBytes,
    WebSocket: createReasonedWebSocketClass(limits.maxFrameBytes),
  })
  const stats = (): ServerStats => ({
    status: closing ? 'draining' : 'ok',
    documents: registry.size,
    connections: connections.size,
    uptimeSeconds: Math.round((Date.now() - startedAtMs) / 1000),
  })

  const serveStatic = options.staticDirectory
    ? createStaticFiles(options.staticDirectory)
    : undefined
  const notFound = (response: ServerResponse, path: string): void =>
    replyJson(response, 404, { error: 'Not Found', reason: `no such path: ${path}` })
  const httpServer = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = requestPath(request)
    if (path === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
      replyJson(response, 200, stats())
      return
    }
    if (!serveStatic) return notFound(response, path)
    serveStatic(request, response, path).then(
      (isServed) => isServed || notFound(response, path),
      (error: unknown) => {
        logger.error({ err: error, path }, 'could not serve a file')
        replyJson(response, 500, {
          error: 'Internal Server Error',
          reason: 'could not read the file',
        })
      },
    )
  })
  const upgradeContext = {
    webSocketServer,
    registry,
    limits,
    connections,
    isDraining: () => closing !== undefined,
    onConnectionClosed: (connection: Connection) => {
      connections.delete(connection)
      registry.release(connection.room.name)
      if (connections.size === 0) for (const resolve of connectionsGone.splice(0)) resolve()
    },
  }
  httpServer.on('upgrade', (request: IncomingMessage, socket, head: Buffer) => {
    handleUpgrade(upgradeContext, request, socket, head).catch((error: unknown) => {
      logger.error({ err: error }, 'upgrade failed')
      socket.destroy()
    })
  })

  const heartbeat = setInterval(() => {
    for (const connection of connections) connection.checkAlive()
  }, limits.heartbeatIntervalMs)
  heartbeat.unref()

  async function drain(): Promise<void> {
    clearInterval(heartbeat)
    httpServer.close()
    httpServer.closeIdleConnections()
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
