// What a connection needs of its socket: the part of ws's WebSocket it uses.
import type { RawData } from 'ws'

/**
 * The socket a connection talks through: a ws WebSocket, or on the owner of a document in a
 * cluster the link of a connection another instance forwards (server/cluster/linked-socket.ts).
 */
export interface ConnectionSocket {
  readonly readyState: number
  readonly bufferedAmount: number
  send(data: Uint8Array): void
  close(code: number, reason: string): void
  terminate(): void
  ping(): void
  on(event: 'message', listener: (data: RawData, isBinary: boolean) => void): this
  on(event: 'pong', listener: () => void): this
  on(event: 'error', listener: (error: Error) => void): this
  on(event: 'close', listener: (code: number) => void): this
}
