// The probes: GET /healthz (liveness: always 200 while the process serves) answers with the
// server's counts and the store's health; GET /readyz (readiness) is 200 only while the server
// should be sent traffic.
import type { StoreStatus } from '../store-health.js'

/** What /healthz reports. */
export interface ServerStats {
  /**
   * `starting` until the server listens, `draining` from a shutdown on, `store-failing` while
   * the store fails (server/store-health.ts); the server still lives in each.
   */
  status: 'ok' | 'starting' | 'draining' | 'store-failing'
  documents: number
  connections: number
  uptimeSeconds: number
  store: StoreStatus
}

/** The readiness answer: 200 only while the status is `ok`, else 503; both say the status. */
export function readinessResponse(stats: ServerStats): Response {
  const ready = stats.status === 'ok'
  return Response.json(
    { ready, status: stats.status },
    { status: ready ? 200 : 503, headers: { 'Cache-Control': 'no-store' } },
  )
}
