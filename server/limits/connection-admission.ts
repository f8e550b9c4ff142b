// The server-wide limits a WebSocket upgrade must pass: connections in all, connections per
// client address, open documents. An admitted connection counts until its socket closes.
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { HttpRefusal, refusalResponse } from '../http/replies.js'
import type { ServerLimits } from '../options.js'
import type { TrustedProxies } from './client-address.js'
import { ConnectionCounter } from './connection-counter.js'

/** The limits admission enforces; `maxConnectionsPerIp` 0 turns that one off. */
export type AdmissionLimits = Pick<
  ServerLimits,
  'maxConnections' | 'maxConnectionsPerIp' | 'maxOpenDocuments'
>

/** What admission needs of the open documents (server/rooms/room-registry.ts). */
export interface OpenDocuments {
  /** Documents loaded or loading. */
  readonly size: number
  /** Whether this document is loaded or loading (held, or waiting out its unload grace). */
  isOpen(name: string): boolean
}

/** Admits WebSocket upgrades within the server-wide limits; owned by the server. */
export class ConnectionAdmission {
  readonly #limits: AdmissionLimits
  readonly #documents: OpenDocuments
  readonly #proxies: TrustedProxies
  readonly #counter = new ConnectionCounter()

  constructor(limits: AdmissionLimits, documents: OpenDocuments, proxies: TrustedProxies) {
    this.#limits = limits
    this.#documents = documents
    this.#proxies = proxies
  }

  /** The client's address of a request (server/limits/client-address.ts). */
  clientAddress(request: IncomingMessage): string | undefined {
    return this.#proxies.clientAddressOf(request)
  }

  /**
   * Checks an upgrade to `document` against the limits: the refusal to send (429 for too many
   * connections, in all or from the client's address; 503 for a document that would open past
   * the limit), or undefined once the connection is counted. It stays counted until `socket`
   * closes, whatever follows: the socket carries the refusal or the WebSocket to its end.
   */
  admit(document: string, request: IncomingMessage, socket: Duplex): Response | undefined {
    const { maxConnections, maxConnectionsPerIp, maxOpenDocuments } = this.#limits
    const counter = this.#counter
    if (counter.total >= maxConnections) {
      return refusalResponse(
        HttpRefusal.tooManyConnections,
        `the server has reached its limit of ${maxConnections} connections; try again later`,
      )
    }
    const address = this.clientAddress(request) ?? 'unknown'
    if (maxConnectionsPerIp > 0 && counter.countOf(address) >= maxConnectionsPerIp) {
      return refusalResponse(
        HttpRefusal.tooManyConnections,
        `the address ${address} has reached its limit of ${maxConnectionsPerIp} connections`,
      )
    }
    const documents = this.#documents
    if (!documents.isOpen(document) && documents.size >= maxOpenDocuments) {
      return refusalResponse(
        HttpRefusal.tooManyDocuments,
        `the server has reached its limit of ${maxOpenDocuments} open documents; try again later`,
      )
    }
    const release = counter.add(address)
    // A socket destroyed already (the client went away during authentication) has closed, or
    // closes without the connection ever being used.
    if (socket.destroyed) release()
    else socket.once('close', release)
    return undefined
  }
}
