// The seam for metrics: what a metrics adapter (metrics/prometheus.ts) is given by the server and
// what it serves at GET /metrics. The server itself never imports a metrics library.
import type { CollabObserver } from './events.js'
import type { ServerStats } from './http/health.js'
import type { Traffic } from './ws/traffic.js'

/** What only the server can count, read by the adapter when it is scraped. */
export interface MetricsSource {
  stats(): ServerStats
  readonly traffic: Traffic
}

/** A metrics adapter: an observer of the server's events that renders an exposition. */
export interface CollabMetrics {
  readonly observer: CollabObserver
  /** Called once by createCollabServer, before anything happens. */
  bind(source: MetricsSource): void
  /** The body of GET /metrics and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>
}
