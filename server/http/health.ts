// The liveness probe: GET /healthz answers with the server's counts.

/** Counts reported by /healthz. */
export interface ServerStats {
  status: 'ok' | 'draining'
  documents: number
  connections: number
  uptimeSeconds: number
}
