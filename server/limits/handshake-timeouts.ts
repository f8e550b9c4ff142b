// How long a client may take over its handshake: the HTTP request line and headers (a client that
// sends them slowly holds a socket for nothing: slowloris), and a WebSocket upgrade's
// authentication and document load.
import type { ServerOptions } from 'node:http'
import type { Duplex } from 'node:stream'

/** The http.Server options that drop a request not received within `timeoutMs`. */
export function handshakeServerOptions(
  timeoutMs: number,
): Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'> {
  return {
    headersTimeout: timeoutMs,
    // The requests served have no body, so the whole request has the same time as its headers.
    requestTimeout: timeoutMs,
    // Node looks for expired requests this often (every 30 s by default), so a request is
    // dropped between `timeoutMs` and a tenth (at most a second) later.
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.ceil(timeoutMs / 10))),
  }
}

/**
 * Destroys an upgrade's socket unless the returned function is called (the upgrade was answered:
 * handed to the WebSocket server or refused) within `timeoutMs`. The upgrade may go on once the
 * socket is gone; its reply then finds nothing to write to.
 */
export function startUpgradeDeadline(socket: Duplex, timeoutMs: number): () => void {
  const timer = setTimeout(() => socket.destroy(), timeoutMs)
  return () => clearTimeout(timer)
}
