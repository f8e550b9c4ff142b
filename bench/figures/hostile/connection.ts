// Raw `ws` clients for the hostile-input figures: one socket to a room that records how it
// closed and can wait for each frame to be written, a probe that times the first answer to a
// connection, and a sync client holding a Y.Doc.
import type { Socket } from 'node:net'
import WebSocket from 'ws'
import * as Y from 'yjs'
import {
  type ClientMessage,
  readClientMessage,
  writeSyncStep1,
  writeSyncStep2,
} from '../../../protocol/message.js'
import { formatSeconds } from './measure.js'

/** How a socket closed: the close code and reason (1006 when the connection just dropped). */
export interface CloseInfo {
  code: number
  reason: string
}

/** `1011 "reason"` */
export const formatClose = (close: CloseInfo): string =>
  close.reason ? `${close.code} "${close.reason}"` : `${close.code}`

/** A refused upgrade: the server answered with an HTTP status instead of switching protocols. */
export class UpgradeRefused extends Error {
  override readonly name = 'UpgradeRefused'
  readonly status: number

  constructor(status: number) {
    super(`upgrade refused with HTTP ${status}`)
    this.status = status
  }
}

/** Options of `RawConnection.open` and `SyncClient.connect`. */
export interface OpenOptions {
  /** How long the open may take (default 10 s). */
  timeoutMs?: number
  /**
   * The loopback address to connect from (default 127.0.0.1): the server tells clients apart by
   * address when authentication is off, so a client on 127.0.0.2 is someone else.
   */
  localAddress?: string
}

/** One WebSocket to a room. Frames go to `onFrame`; nothing is answered unless the caller does. */
export class RawConnection {
  readonly socket: WebSocket
  /** Resolves once the socket has closed. */
  readonly closed: Promise<CloseInfo>
  #onFrame: ((frame: Uint8Array) => void) | undefined
  /** Frames that came before `onFrame` was set. */
  #early: Uint8Array[] = []
  #close: CloseInfo | undefined

  private constructor(socket: WebSocket) {
    this.socket = socket
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => {
        this.#close = { code, reason: reason.toString() }
        resolve(this.#close)
      }),
    )
    socket.on('message', (data: Buffer) => {
      const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      if (this.#onFrame) this.#onFrame(frame)
      else this.#early.push(frame)
    })
    // After the open, errors end in a close; this listener keeps them from being thrown.
    socket.on('error', () => undefined)
  }

  /**
   * Opens a socket to `url/room` and resolves once it is open. Rejects with UpgradeRefused when
   * the server answers with an HTTP status, and with a StepTimeout-like error after `timeoutMs`.
   * The client accepts frames of any size (the server's sync step 2 may be hundreds of MiB).
   */
  static open(
    url: string,
    room: string,
    { timeoutMs = 10_000, localAddress }: OpenOptions = {},
  ): Promise<RawConnection> {
    const socket = new WebSocket(`${url}/${encodeURIComponent(room)}`, {
      maxPayload: 0,
      perMessageDeflate: false,
      localAddress,
    })
    const connection = new RawConnection(socket)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate()
        reject(new Error(`no open in ${formatSeconds(timeoutMs)}`))
      }, timeoutMs)
      socket.once('unexpected-response', (request, response) => {
        clearTimeout(timer)
        request.destroy()
        reject(new UpgradeRefused(response.statusCode ?? 0))
      })
      socket.once('open', () => {
        clearTimeout(timer)
        resolve(connection)
      })
      socket.once('close', (code, reason) => {
        clearTimeout(timer)
        reject(
          new Error(`closed before opening: ${formatClose({ code, reason: reason.toString() })}`),
        )
      })
    })
  }

  /** Receives every frame, starting with those that came before it was set. */
  set onFrame(handler: (frame: Uint8Array) => void) {
    this.#onFrame = handler
    for (const frame of this.#early.splice(0)) handler(frame)
  }

  /** How the socket closed, once it has. */
  get closeInfo(): CloseInfo | undefined {
    return this.#close
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN
  }

  /** Sends a frame and resolves once it has been written to the socket. */
  send(frame: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.isOpen) {
        reject(new Error('the socket is not open'))
        return
      }
      this.socket.send(frame, (error) => (error ? reject(error) : resolve()))
    })
  }

  /**
   * Stops reading from the socket, as a client that never reads would: what the server sends then
   * piles up in the kernel's buffers and, once they are full, in the server's memory.
   */
  stopReading(): void {
    // ws does not expose its net.Socket; `_socket` is the documented-by-use way to reach it.
    ;(this.socket as unknown as { _socket: Socket })._socket.pause()
  }

  /** Closes with a handshake, dropping the socket if that takes over `timeoutMs`. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.#close) return
    this.socket.close()
    const timer = setTimeout(() => this.socket.terminate(), timeoutMs)
    await this.closed
    clearTimeout(timer)
  }

  /** Drops the socket without a closing handshake. */
  terminate(): void {
    this.socket.terminate()
  }
}

/** The first answer a connection got, and after how long. */
export type ProbeAnswer =
  | { kind: 'message'; ms: number }
  | { kind: 'http'; status: number; ms: number }
  | { kind: 'close'; close: CloseInfo; ms: number }
  | { kind: 'error'; message: string; ms: number }
  | { kind: 'none'; ms: number }

/** Opens a connection to `room` and waits for its first answer: a frame, a status or a close. */
export async function probeConnection(
  url: string,
  room: string,
  timeoutMs: number,
): Promise<ProbeAnswer> {
  const startedAt = performance.now()
  const elapsed = (): number => performance.now() - startedAt
  let connection: RawConnection
  try {
    connection = await RawConnection.open(url, room, { timeoutMs })
  } catch (error) {
    if (error instanceof UpgradeRefused)
      return { kind: 'http', status: error.status, ms: elapsed() }
    if (/^no open in/.test((error as Error).message)) return { kind: 'none', ms: elapsed() }
    return { kind: 'error', message: (error as Error).message, ms: elapsed() }
  }
  const answer = await new Promise<ProbeAnswer>((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'none', ms: elapsed() }), timeoutMs - elapsed())
    connection.onFrame = () => {
      clearTimeout(timer)
      resolve({ kind: 'message', ms: elapsed() })
    }
    void connection.closed.then((close) => {
      clearTimeout(timer)
      resolve({ kind: 'close', close, ms: elapsed() })
    })
  })
  connection.terminate()
  return answer
}

/** `HTTP 503 after 12 ms`, `no answer in 10 s`, ... */
export function formatProbe(answer: ProbeAnswer, timeoutMs: number): string {
  switch (answer.kind) {
    case 'message':
      return `opened and greeted (sync step 1) after ${formatSeconds(answer.ms)}`
    case 'http':
      return `HTTP ${answer.status} after ${formatSeconds(answer.ms)}`
    case 'close':
      return `opened, then closed ${formatClose(answer.close)} after ${formatSeconds(answer.ms)}`
    case 'error':
      return `failed after ${formatSeconds(answer.ms)}: ${answer.message}`
    case 'none':
      return `no answer in ${formatSeconds(timeoutMs)}`
  }
}

/**
 * A y-websocket client on a raw socket with a Y.Doc: sends its sync step 1 on open, answers the
 * server's, and applies what the server sends. An update that fails to apply (Yjs throws
 * RangeError on a structure nested too deep) is caught and kept in `applyError`. Local changes
 * are not sent by themselves: the caller sends them, so it can wait for each frame.
 */
export class SyncClient {
  readonly doc: Y.Doc
  readonly connection: RawConnection
  /** Size of the server's sync step 2 payload, once it came. */
  step2Bytes: number | undefined
  /** Updates the server relayed (sync update messages) since the connection opened. */
  relayedUpdates = 0
  /** Whether the server's sync step 1 (its greeting) has come and been answered. */
  hasAnsweredStep1 = false
  /** The first error applying something the server sent. */
  applyError: Error | undefined
  /** Awareness updates the server sent (payloads). */
  readonly awareness: Uint8Array[] = []

  private constructor(doc: Y.Doc, connection: RawConnection) {
    this.doc = doc
    this.connection = connection
    connection.onFrame = (frame) => this.#receive(frame)
  }

  /** Connects with `doc` (a fresh one by default) and sends its sync step 1. */
  static async connect(
    url: string,
    room: string,
    doc: Y.Doc = new Y.Doc(),
    options: OpenOptions = {},
  ): Promise<SyncClient> {
    const connection = await RawConnection.open(url, room, options)
    const client = new SyncClient(doc, connection)
    await connection.send(writeSyncStep1(Y.encodeStateVector(doc)))
    return client
  }

  /** Whether the server's sync step 2 has come (and been applied, or failed to). */
  get isSynced(): boolean {
    return this.step2Bytes !== undefined
  }

  #receive(frame: Uint8Array): void {
    let message: ClientMessage
    try {
      // The server speaks the same envelope as clients (protocol/README.md §2).
      message = readClientMessage(frame)
    } catch {
      return // e.g. an auth message (permission denied): not a sync figure.
    }
    switch (message.kind) {
      case 'syncStep1':
        if (this.connection.isOpen) {
          void this.connection
            .send(writeSyncStep2(Y.encodeStateAsUpdate(this.doc, message.stateVector)))
            .catch(() => undefined)
        }
        this.hasAnsweredStep1 = true
        return
      case 'syncStep2':
        this.#apply(message.update)
        this.step2Bytes = message.update.length
        return
      case 'syncUpdate':
        this.relayedUpdates++
        this.#apply(message.update)
        return
      case 'awareness':
        this.awareness.push(message.update.slice())
        return
      case 'queryAwareness':
        return
    }
  }

  #apply(update: Uint8Array): void {
    try {
      Y.applyUpdate(this.doc, update, this)
    } catch (error) {
      this.applyError ??= error as Error
    }
  }
}
