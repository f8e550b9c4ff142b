// Which of this editor's updates the server has stored (protocol/README.md §6): a WebSocket class
// for the provider that counts the update messages sent on each socket, and the handler of the
// server's acknowledgements.
import type * as decoding from 'lib0/decoding'
import type { WebsocketProvider } from 'y-websocket'
import type * as Y from 'yjs'
import {
  isAcknowledgedMessage,
  readStoredAck,
  storedAckMessageType,
  storedAckParameter,
} from '../protocol/stored-ack.js'

/** What one socket has sent and had acknowledged. */
interface SocketCounts {
  sent: number
  stored: number
  /** The server sent an acknowledgement on this socket: it acknowledges. */
  isAcknowledging: boolean
  /** The socket carried the answer to the server's sync step 1 (a sync step 2). */
  hasSentState: boolean
}

/** Tracks the stored updates of one provider's sockets; see `trackStoredUpdates`. */
export interface StoredUpdates {
  /** The provider's `WebSocketPolyfill`: the browser's WebSocket, counting what it sends. */
  readonly WebSocket: typeof WebSocket
  /** The query parameters that ask the server for acknowledgements. */
  readonly params: Readonly<Record<string, string>>
  /** Takes the server's acknowledgements on `provider`'s sockets. */
  attach(provider: WebsocketProvider): void
  /**
   * Whether the server has stored everything this editor holds, as far as `socket` tells: every
   * update message sent on it is acknowledged, its answer to the server's sync step 1 included.
   * From a server that does not acknowledge (a stock one, or to a reader), only when this editor
   * has made no change of its own.
   */
  isAllStored(socket: WebSocket | null): boolean
  destroy(): void
}

/**
 * Tracks what the server has stored of `doc`'s updates. Changes made in transactions whose origin
 * `isOwnChange` accepts are this editor's own; `onChange` runs when a count changes.
 */
export function trackStoredUpdates(
  doc: Y.Doc,
  isOwnChange: (origin: unknown) => boolean,
  onChange: () => void,
): StoredUpdates {
  const counts = new WeakMap<WebSocket, SocketCounts>()
  const countsOf = (socket: WebSocket): SocketCounts => {
    let socketCounts = counts.get(socket)
    if (!socketCounts) {
      socketCounts = { sent: 0, stored: 0, isAcknowledging: false, hasSentState: false }
      counts.set(socket, socketCounts)
    }
    return socketCounts
  }
  let hasOwnChanges = false
  const onUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (!hasOwnChanges && isOwnChange(origin)) hasOwnChanges = true
  }
  doc.on('update', onUpdate)

  class CountingWebSocket extends WebSocket {
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      super.send(data)
      if (!(data instanceof Uint8Array) || !isAcknowledgedMessage(data)) return
      const socketCounts = countsOf(this)
      socketCounts.sent++
      if (data[1] === 1) socketCounts.hasSentState = true
      onChange()
    }
  }

  return {
    WebSocket: CountingWebSocket,
    params: { [storedAckParameter]: '1' },
    attach(provider) {
      provider.messageHandlers[storedAckMessageType] = (_encoder, decoder: decoding.Decoder) => {
        if (!provider.ws) return
        const socketCounts = countsOf(provider.ws)
        socketCounts.stored = readStoredAck(decoder)
        socketCounts.isAcknowledging = true
        onChange()
      }
    },
    isAllStored(socket) {
      const socketCounts = socket && counts.get(socket)
      if (!socketCounts?.isAcknowledging) return !hasOwnChanges
      return socketCounts.hasSentState && socketCounts.stored === socketCounts.sent
    },
    destroy() {
      doc.off('update', onUpdate)
    },
  }
}
