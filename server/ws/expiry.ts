// Credentials that expire during a connection: twice a second the connections whose principal
// carries an expiry are checked, so each is closed (4401) within a second of its token's `exp`.

/** What the sweep needs of a connection (server/ws/connection.ts). */
export interface Expiring {
  closeIfExpired(nowMs: number): void
}

/** How often expiries are checked. */
const sweepIntervalMs = 500

/** Checks `connections` until the returned function is called. */
export function startExpirySweep(connections: Iterable<Expiring>): () => void {
  const timer = setInterval(() => {
    const nowMs = Date.now()
    for (const connection of connections) connection.closeIfExpired(nowMs)
  }, sweepIntervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
