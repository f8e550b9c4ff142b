// The HTTP upgrade of a WebSocket request: room name from the URL, room loaded, then the socket.
// Every refusal is an HTTP status with a JSON reason, before any WebSocket opens.
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { WebSocketServer } from 'ws'
import { parseRoomPath } from '../protocol/room-name.js'
import { Connection } from './connection.js'
import { refuseUpgrade, requestPath } from './http-reply.js'
import type { ServerLimits } from './options.js'
import type { RoomRegistry } from './room-registry.js'

/** What the upgrade handler works with; owned by the server. */
export interface UpgradeContext {
  webSocketServer: WebSocketServer
  registry: RoomRegistry
  limits: ServerLimits
  /** Open connections; the handler adds each new one and the connection removes itself. */
  connections: Set<Connection>
  /** Called when a connection has closed and left its room. */
  onConnectionClosed: (connection: Connection) => void
  isDraining: () => boolean
}

/**
 * Handles one 'upgrade' event. The room's stored state is loaded before the WebSocket handshake
 * completes, so no client ever gets a sync message for a half-loaded document.
 */
export async function handleUpgrade(
  context: UpgradeContext,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  // A client may reset the socket while its room loads; without a listener that would throw.
  const ignoreSocketError = (): void => undefined
  socket.on('error', ignoreSocketError)
  if (context.isDraining()) return refuseUpgrade(socket, 503, 'the server is shutting down')
  if (request.headers.upgrade?.toLowerCase() !== 'websocket') {
    return refuseUpgrade(socket, 400, 'expected a WebSocket upgrade')
  }
  const parsed = parseRoomPath(requestPath(request))
  if (!parsed.ok) return refuseUpgrade(socket, 400, parsed.reason)
  const name = parsed.name
  if (context.registry.holds(name) >= context.limits.maxConnectionsPerRoom) {
    return refuseUpgrade(
      socket,
      503,
      `the document has reached its limit of ${context.limits.maxConnectionsPerRoom} connections`,
    )
  }
  let room
  try {
    room = await context.registry.acquire(name)
  } catch {
    return refuseUpgrade(socket, 503, 'the document could not be loaded; try again later')
  }
  if (context.isDraining()) {
    context.registry.release(name)
    return refuseUpgrade(socket, 503, 'the server is shutting down')
  }
  let isUpgraded = false
  // ws completes the handshake synchronously when there is no verifyClient option, or refuses
  // it (bad key or version) without calling back; either way the hold is settled right here.
  context.webSocketServer.handleUpgrade(request, socket, head, (webSocket) => {
    isUpgraded = true
    socket.off('error', ignoreSocketError)
    const connection = new Connection(
      webSocket,
      room,
      context.limits,
      room.logger,
      context.onConnectionClosed,
    )
    context.connections.add(connection)
  })
  if (!isUpgraded) context.registry.release(name)
}
