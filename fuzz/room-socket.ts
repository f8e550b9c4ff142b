// A raw WebSocket to one document, as every fuzz client (hostile, writer, fresh reader) opens it:
// binary frames in, the close code out, and a refused or stalled upgrade as an error.
import WebSocket from 'ws'

/** The close code and reason a socket ended with (1006: no close frame, the TCP link dropped). */
export interface Closed {
  readonly code: number
  readonly reason: string
}

/** An open socket to a document. */
export interface RoomSocket {
  readonly socket: WebSocket
  /** Resolves once the socket has closed; never rejects. */
  readonly closed: Promise<Closed>
  /** Set once `closed` has resolved. */
  readonly closedWith: () => Closed | undefined
}

/**
 * Opens a socket to `room` and resolves once it is open. Every binary frame the server sends goes
 * to `onFrame`. Rejects when the upgrade is refused (with its HTTP status), fails or takes longer
 * than `timeoutMs`. `localAddress` is the address to connect from (the server's client address).
 */
export function openRoomSocket(
  url: string,
  room: string,
  onFrame: (frame: Uint8Array) => void,
  timeoutMs: number,
  localAddress?: string,
): Promise<RoomSocket> {
  const socket = new WebSocket(`${url}/${encodeURIComponent(room)}`, {
    handshakeTimeout: timeoutMs,
    perMessageDeflate: false,
    localAddress,
  })
  let closedWith: Closed | undefined
  const closed = new Promise<Closed>((resolve) => {
    socket.once('close', (code, reason) => {
      closedWith = { code, reason: reason.toString() }
      resolve(closedWith)
    })
  })
  socket.on('message', (data: Buffer, isBinary) => {
    if (isBinary) onFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
  })
  return new Promise<RoomSocket>((resolve, reject) => {
    socket.once('open', () => {
      // Errors after the open (a reset while sending) show as a 1006 close; nothing to add.
      socket.on('error', () => undefined)
      resolve({ socket, closed, closedWith: () => closedWith })
    })
    socket.once('unexpected-response', (_request, response) => {
      reject(new Error(`upgrade refused with HTTP ${response.statusCode}`))
      socket.terminate()
    })
    socket.once('error', (error) => reject(error))
  })
}
