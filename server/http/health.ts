// The probes: GET /healthz (liveness: always 200 while the process serves) answers with the
// server's counts and the store's health; GET /readyz (readiness) is 200 only while the server
// should be sent traffic.
import type { ClusterStatus } from '../cluster.js'
import type { StoreStatus } from '../store-health.js'

/** What /healthz reports. */
export interface ServerStats {
  /**
   * `starting` until the server listens, `draining` from a shutdown on, `store-failing` while
   * the store fails (server/store-health.ts), `cluster-degraded` while the cluster's bus cannot
   * be reached (only documents open here are served); the server still lives in each.
   */
  status: 'ok' | 'starting' | 'draining' | 'store-failing' | 'cluster-degraded'
  documents: number
  connections: number
  uptimeSeconds: number
  store: StoreStatus
  /** The cluster's bus, in a cluster. */
  cluster?: ClusterStatus
}

/** The readiness answer: 200 only while the status is `ok`, else 503; both say the status. */
export function readinessResponse(stats: ServerStats): Response {
  const ready = stats.status === 'ok'
  return Response.json(
    { ready, status: stats.status },
    { status: ready ? 200 : 503, headers: { 'Cache-Control': 'no-store' } },
  )
}
