// The liveness probe: GET /healthz answers with the server's counts and the store's health.
import type { StoreStatus } from '../store-health.js'

/** What /healthz reports. */
export interface ServerStats {
  /** `store-failing` while the store fails (server/store-health.ts); the server still lives. */
  status: 'ok' | 'draining' | 'store-failing'
  documents: number
  connections: number
  uptimeSeconds: number
  store: StoreStatus
}
