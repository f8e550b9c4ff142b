// A TCP proxy on loopback for tests that take a server away and bring it back without touching
// the server itself: it forwards connections to the target until told to refuse them (its port
// closes and every connection drops) or to go silent (connections stay open and nothing passes,
// as in a network partition).
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net'
import type { TestContext } from 'node:test'
import { deferCleanup } from './cleanup.js'

/** A running proxy; closed after the test that started it. */
export class TcpProxy {
  readonly #target: { host: string; port: number }
  readonly #server: Server
  readonly #sockets = new Set<Socket>()
  #port = 0
  #isSilent = false

  private constructor(target: { host: string; port: number }) {
    this.#target = target
    this.#server = createServer((socket) => this.#accept(socket))
  }

  /** Starts a proxy to `target` on a free loopback port. */
  static async start(t: TestContext, target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target)
    await proxy.#listen(0)
    deferCleanup(t, () => proxy.#stop())
    return proxy
  }

  get port(): number {
    return this.#port
  }

  /** Closes the port and drops every connection: the target is gone, connecting is refused. */
  refuse(): Promise<void> {
    return this.#stop()
  }

  /** Holds every connection, new ones too, and passes nothing either way. */
  silence(): void {
    this.#isSilent = true
  }

  /**
   * Forwards again, on the same port. Connections held while silent are dropped: what they sent
   * was lost, so they could not go on.
   */
  async restore(): Promise<void> {
    if (this.#isSilent) {
      this.#isSilent = false
      this.#dropAll()
    }
    if (!this.#server.listening) await this.#listen(this.#port)
  }

  #listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject)
        this.#port = (this.#server.address() as AddressInfo).port
        resolve()
      })
    })
  }

  async #stop(): Promise<void> {
    this.#dropAll()
    if (this.#server.listening) await new Promise((resolve) => this.#server.close(resolve))
  }

  #dropAll(): void {
    for (const socket of this.#sockets) socket.destroy()
    this.#sockets.clear()
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket)
    socket.on('error', () => socket.destroy())
    socket.on('close', () => this.#sockets.delete(socket))
  }

  #accept(client: Socket): void {
    this.#track(client)
    if (this.#isSilent) {
      // Read and drop what it sends, and never answer.
      client.resume()
      return
    }
    const upstream = connect(this.#target.port, this.#target.host)
    this.#track(upstream)
    const forward = (to: Socket) => (chunk: Buffer) => {
      if (!this.#isSilent) to.write(chunk)
    }
    client.on('data', forward(upstream))
    upstream.on('data', forward(client))
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  }
}
