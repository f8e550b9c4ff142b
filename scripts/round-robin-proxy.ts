// The load balancer of `npm run cluster`: a TCP proxy that hands each connection to the next
// instance in turn. It passes bytes as they are, so plain HTTP and WebSocket upgrades alike go
// through; an instance whose port refuses the connection (it died) is skipped for the next one.
import { type AddressInfo, type Socket, connect, createServer } from 'node:net'

/** A listening proxy. */
export interface RoundRobinProxy {
  readonly port: number
  /** Stops listening and drops every connection. */
  close(): Promise<void>
}

/**
 * Listens on `host`:`port` and forwards each connection to one of `targetPorts` on `host`, taking
 * them in turn. Rejects when the port cannot be listened on (EADDRINUSE, say).
 */
export async function startRoundRobinProxy(
  host: string,
  port: number,
  targetPorts: readonly number[],
): Promise<RoundRobinProxy> {
  const sockets = new Set<Socket>()
  const track = (socket: Socket): void => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  }
  let next = 0

  // Tries the target at `index`, then the ones after it, until one accepts or all were tried.
  const forward = (client: Socket, index: number, attemptsLeft: number): void => {
    const targetPort = targetPorts[index]
    if (attemptsLeft === 0 || targetPort === undefined || client.destroyed) {
      client.destroy()
      return
    }
    const upstream = connect(targetPort, host)
    track(upstream)
    let isConnected = false
    upstream.on('error', () => {
      upstream.destroy()
      if (!isConnected) forward(client, (index + 1) % targetPorts.length, attemptsLeft - 1)
    })
    upstream.once('connect', () => {
      isConnected = true
      if (client.destroyed) return void upstream.destroy()
      // What the client sent meanwhile waited in its stream: pipe() passes it on first.
      client.pipe(upstream)
      upstream.pipe(client)
      client.on('close', () => upstream.destroy())
      upstream.on('close', () => client.destroy())
    })
  }

  const server = createServer((client) => {
    track(client)
    client.on('error', () => client.destroy())
    const index = next
    next = (next + 1) % targetPorts.length
    forward(client, index, targetPorts.length)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      }),
  }
}
