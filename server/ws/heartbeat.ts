// Liveness of WebSocket connections: every interval each one is pinged, and one that did not
// answer the previous ping is dropped (its room then removes its awareness states).

/** What the heartbeat needs of a connection (server/ws/connection.ts). */
export interface Pingable {
  checkAlive(): void
}

/** Pings `connections` every `intervalMs`; returns the function that stops it. */
export function startHeartbeat(connections: Iterable<Pingable>, intervalMs: number): () => void {
  const timer = setInterval(() => {
    for (const connection of connections) connection.checkAlive()
  }, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
