// The WebSocket upgrade of a document: name from the URL, authenticate, check access and limits,
// load the room, then hand the socket to ws. Every refusal is an HTTP status with a JSON reason,
// before any WebSocket opens and, for authentication, before any document is loaded.
import type { WebSocket, WebSocketServer } from 'ws'
import { CloseCode } from '../../protocol/close-codes.js'
import { parseRoomPath } from '../../protocol/room-name.js'
import { storedAckParameter } from '../../protocol/stored-ack.js'
import type { Access, Principal } from '../auth.js'
import { type Cluster, ClusterUnavailableError, type Link, OwnerGoneError } from '../cluster.js'
import { ForwardedClient } from '../cluster/forwarded-client.js'
import type { ConnectionOrigin } from '../events.js'
import { HttpRefusal, refusalResponse } from '../http/replies.js'
import { type RequestAuthContext, authenticateRequest } from '../http/request-auth.js'
import { requestPath } from '../http/request-path.js'
import type { UpgradeBindings } from '../http/upgrade-bridge.js'
import type { ConnectionAdmission } from '../limits/connection-admission.js'
import type { Logger } from '../logger.js'
import type { ServerLimits } from '../options.js'
import type { Room } from '../rooms/room.js'
import { OwnedElsewhereError, type RoomRegistry } from '../rooms/room-registry.js'

/** What the upgrade works with; owned by the server. */
export interface UpgradeContext {
  readonly webSocketServer: WebSocketServer
  readonly registry: RoomRegistry
  readonly limits: Pick<ServerLimits, 'maxConnectionsPerRoom' | 'maxBufferedBytes'>
  readonly auth: RequestAuthContext
  /** The server-wide limits: connections in all and per client address, open documents. */
  readonly admission: ConnectionAdmission
  readonly isDraining: () => boolean
  /** While the store fails, documents that are not open are refused (server/store-health.ts). */
  readonly isStoreFailing: () => boolean
  /** A connection id not used before by this server. */
  readonly nextConnectionId: () => number
  /** Called with each new WebSocket; the server wraps it in a Connection that joins the room. */
  readonly onOpen: (
    webSocket: WebSocket,
    room: Room,
    origin: ConnectionOrigin,
    acknowledgesStored: boolean,
  ) => void
  /** The cluster, when there is one: a document another instance owns is forwarded there. */
  readonly cluster: Cluster | undefined
  /** Called with each client whose connection is forwarded to the document's owner… */
  readonly onForwarded: (client: ForwardedClient) => void
  /** …and once that connection has ended. */
  readonly onForwardedClosed: (client: ForwardedClient) => void
  readonly logger: Logger
}

// What an accepted upgrade resolves with; the bridge sends nothing, as ws has answered already.
const handedOver = (): Response => new Response(null, { status: 204 })

/** Whether the upgrade's URL asks for acknowledgements of stored updates (§6). */
function asksForStoredAcks(url = ''): boolean {
  const queryStart = url.indexOf('?')
  if (queryStart < 0) return false
  return new URLSearchParams(url.slice(queryStart + 1)).get(storedAckParameter) === '1'
}

const draining = (): Response =>
  refusalResponse(HttpRefusal.draining, 'the server is shutting down')

/** Takes one document upgrade: hands the socket over, or resolves with the refusal to send. */
export async function upgradeToDocument(
  context: UpgradeContext,
  request: Request,
  bindings: UpgradeBindings,
): Promise<Response> {
  const { incoming, upgrade } = bindings
  if (context.isDraining()) return draining()
  if (incoming.headers.upgrade?.toLowerCase() !== 'websocket') {
    return refusalResponse(HttpRefusal.notWebSocket, 'expected a WebSocket upgrade')
  }
  const parsed = parseRoomPath(requestPath(incoming))
  if (!parsed.ok) return refusalResponse(HttpRefusal.badDocumentName, parsed.reason)
  const name = parsed.name

  // Server-wide limits (server/limits/connection-admission.ts), before authentication so that a
  // flood from one address costs the authenticator nothing. From here on the connection counts
  // against them until its socket closes, whether it is refused below or opens.
  const overLimit = context.admission.admit(name, incoming, upgrade.socket)
  if (overLimit) return overLimit

  const clientAddress = context.admission.clientAddress(incoming)
  const principal = await authenticateRequest(context.auth, request, clientAddress)
  if (principal instanceof Response) return principal
  const access = principal.access(name)
  if (!access) return refusalResponse(HttpRefusal.forbidden, 'no access to this document')

  const { registry, limits } = context
  if (registry.holderCount(name) >= limits.maxConnectionsPerRoom) {
    return refusalResponse(
      HttpRefusal.documentFull,
      `the document has reached its limit of ${limits.maxConnectionsPerRoom} connections`,
    )
  }
  if (context.isStoreFailing() && !registry.isOpen(name)) {
    return refusalResponse(
      HttpRefusal.storeUnavailable,
      'the server cannot store documents right now; try again later',
    )
  }
  // Only a writer's updates are stored; a reader's are refused (§2) and never acknowledged.
  const acknowledgesStored = access === 'write' && asksForStoredAcks(incoming.url)
  const clientAddressOrUnknown = clientAddress ?? 'unknown'
  let room: Room
  try {
    room = await registry.acquire(name)
  } catch (error) {
    if (error instanceof OwnedElsewhereError && context.cluster) {
      const forwarding = {
        owner: error.owner,
        principal,
        access,
        acknowledgesStored,
        clientAddress: clientAddressOrUnknown,
      }
      return forwardToOwner(context, context.cluster, name, forwarding, bindings)
    }
    if (error instanceof ClusterUnavailableError) return busUnavailable()
    return refusalResponse(
      HttpRefusal.loadFailed,
      'the document could not be loaded; try again later',
    )
  }
  if (context.isDraining()) {
    registry.release(name, room)
    return draining()
  }
  const origin: ConnectionOrigin = {
    kind: 'connection',
    connectionId: context.nextConnectionId(),
    principal,
    access,
    // A socket without a peer address has closed already, and ws opens no WebSocket on it.
    clientAddress: clientAddressOrUnknown,
  }
  const isUpgraded = handOver(context, bindings, (webSocket) =>
    context.onOpen(webSocket, room, origin, acknowledgesStored),
  )
  if (!isUpgraded) registry.release(name, room)
  return handedOver()
}

/** Completes the WebSocket handshake; false when ws refused it (bad key or version). */
function handOver(
  context: UpgradeContext,
  { incoming, upgrade }: UpgradeBindings,
  onOpen: (webSocket: WebSocket) => void,
): boolean {
  let isUpgraded = false
  upgrade.isHandedOver = true
  // ws completes the handshake synchronously when there is no verifyClient option, or refuses
  // it with its own HTTP reply without calling back; either way it is settled right here.
  context.webSocketServer.handleUpgrade(incoming, upgrade.socket, upgrade.head, (webSocket) => {
    isUpgraded = true
    onOpen(webSocket)
  })
  return isUpgraded
}

const busUnavailable = (): Response =>
  refusalResponse(
    HttpRefusal.clusterUnavailable,
    'the cluster bus cannot be reached, and the document is not open here; try again later',
  )

/** Who connects, to which owner: what the owner needs to run the connection. */
interface Forwarding {
  readonly owner: string
  readonly principal: Principal
  readonly access: Access
  readonly acknowledgesStored: boolean
  readonly clientAddress: string
}

/**
 * Opens a link to the document's owner, then the client's WebSocket: from then on the owner runs
 * the connection and this instance relays its frames (server/cluster/forwarded-client.ts).
 */
async function forwardToOwner(
  context: UpgradeContext,
  cluster: Cluster,
  name: string,
  forwarding: Forwarding,
  bindings: UpgradeBindings,
): Promise<Response> {
  const { owner, principal } = forwarding
  const client = new ForwardedClient(
    name,
    owner,
    principal.userId,
    context.limits.maxBufferedBytes,
    context.logger.child({ room: name, owner }),
    context.onForwardedClosed,
  )
  let link: Link
  try {
    link = await cluster.connect(
      owner,
      {
        document: name,
        principal: {
          userId: principal.userId,
          name: principal.name,
          expiresAtMs: principal.expiresAtMs,
          issuedAtMs: principal.issuedAtMs,
        },
        access: forwarding.access,
        clientAddress: forwarding.clientAddress,
        acknowledgesStored: forwarding.acknowledgesStored,
      },
      client.peer,
    )
  } catch (error) {
    if (!(error instanceof OwnerGoneError)) return busUnavailable()
    // The next claim takes the document over: a reconnect a moment later opens it.
    return refusalResponse(
      HttpRefusal.loadFailed,
      'the instance serving this document has just stopped; try again',
    )
  }
  if (context.isDraining()) {
    link.close(CloseCode.serviceRestart, 'server restarting')
    return draining()
  }
  const isUpgraded = handOver(context, bindings, (webSocket) => {
    client.start(webSocket, link)
    context.onForwarded(client)
  })
  if (!isUpgraded) link.close(CloseCode.serviceRestart, 'the client left')
  return handedOver()
}
