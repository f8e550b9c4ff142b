// The Prometheus adapter (prom-client): the server's metrics, named `collab_…`, rendered in the
// text format at GET /metrics. Counts that the hot path keeps itself (messages and bytes by type)
// are read when the metrics are scraped; the rest come from the server's events. No label takes
// unbounded values: never a document name, a user id or an address.
import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  collectDefaultMetrics,
} from 'prom-client'
import { CloseCode } from '../protocol/close-codes.js'
import {
  type ClusterStatus,
  type CollabMetrics,
  type CollabObserver,
  type MetricsSource,
  messageTypes,
} from '../server/index.js'

/** What a webhook dispatcher counted (webhooks/), read at each scrape. */
export interface DeliveryCounts {
  readonly delivered: number
  readonly retried: number
  readonly failed: number
  readonly dropped: number
  readonly queued: number
}

/** What the metrics read besides the server's own. */
export interface PrometheusOptions {
  /** The webhook dispatcher's counts, when webhooks are on. */
  readonly webhookCounts?: () => DeliveryCounts
}

const prefix = 'collab_'

// Close codes by name; any other a client may send is counted as `other`.
const knownCloseCodes = new Set<number>([1000, 1001, 1005, 1006, ...Object.values(CloseCode)])
const closeCodeLabel = (code: number): string =>
  knownCloseCodes.has(code) ? String(code) : 'other'

const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
const compactionBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** A counter whose value is read at each scrape from `read`, by `type` label. */
function countersByType(
  registry: Registry,
  name: string,
  help: string,
  read: () => Float64Array,
): void {
  const configuration: CounterConfiguration<'type'> = {
    name: prefix + name,
    help,
    labelNames: ['type'],
    registers: [registry],
    collect() {
      const values = read()
      this.reset()
      messageTypes.forEach((type, slot) => this.inc({ type }, values[slot]))
    },
  }
  new Counter(configuration)
}

/**
 * The cluster's bus, from /healthz's `cluster` (nothing without one): whether Redis answers, its
 * round trip, the documents this instance owns, its forwarded connections, and takeovers.
 */
function clusterMetrics(registers: Registry[], cluster: () => ClusterStatus | undefined): void {
  const gauge = (name: string, help: string, value: (status: ClusterStatus) => number | null) =>
    new Gauge({
      name: `${prefix}cluster_${name}`,
      help,
      registers,
      collect() {
        const status = cluster()
        const measured = status && value(status)
        if (measured === undefined || measured === null) this.reset()
        else this.set(measured)
      },
    })
  gauge('bus_up', 'Whether the cluster bus (Redis) answers: 1, or 0 while degraded', (status) =>
    status.status === 'ok' ? 1 : 0,
  )
  gauge('bus_latency_seconds', 'Round trip of the last liveness write to Redis', (status) =>
    status.busLatencyMs === null ? null : status.busLatencyMs / 1000,
  )
  gauge('owned_documents', 'Documents this instance owns', (status) => status.ownedDocuments)
  new Gauge({
    name: `${prefix}cluster_links`,
    help: 'Forwarded connections: out, to the owners of their documents; in, from other instances',
    labelNames: ['direction'],
    registers,
    collect() {
      const status = cluster()
      this.reset()
      if (!status) return
      this.set({ direction: 'out' }, status.linksOut)
      this.set({ direction: 'in' }, status.linksIn)
    },
  })
  new Counter({
    name: `${prefix}cluster_takeovers_total`,
    help: 'Documents this instance took over from an owner that had died',
    registers,
    collect() {
      const status = cluster()
      this.reset()
      if (status) this.inc(status.takeovers)
    },
  })
}

/** Builds the metrics; pass them as createCollabServer's `metrics`. */
export function createPrometheusMetrics(options: PrometheusOptions = {}): CollabMetrics {
  const registry = new Registry()
  // Event-loop lag is sampled every 100 ms rather than prom-client's 10: the 10 ms timer alone
  // costs an idle server 0.7% of a core, ten times what it costs at 100 ms.
  collectDefaultMetrics({ register: registry, prefix, eventLoopMonitoringPrecision: 100 })
  const registers = [registry]
  let source: MetricsSource | undefined

  new Gauge({
    name: `${prefix}connections`,
    help: 'WebSocket connections open now',
    registers,
    collect() {
      this.set(source?.stats().connections ?? 0)
    },
  })
  new Gauge({
    name: `${prefix}documents_open`,
    help: 'Documents loaded now (held by connections or waiting out their unload grace)',
    registers,
    collect() {
      this.set(source?.stats().documents ?? 0)
    },
  })
  const traffic = () => source!.traffic
  countersByType(
    registry,
    'messages_received_total',
    'Messages received from clients',
    () => traffic().messagesReceived,
  )
  countersByType(
    registry,
    'messages_sent_total',
    'Messages sent to clients',
    () => traffic().messagesSent,
  )
  countersByType(
    registry,
    'received_bytes_total',
    'Bytes of the messages received from clients',
    () => traffic().bytesReceived,
  )
  countersByType(
    registry,
    'sent_bytes_total',
    'Bytes of the messages sent to clients',
    () => traffic().bytesSent,
  )
  const upgradesRefused = new Counter({
    name: `${prefix}upgrades_refused_total`,
    help: 'WebSocket upgrades refused, by the COLLAB_ error code of the refusal',
    labelNames: ['reason'],
    registers,
  })
  const connectionsClosed = new Counter({
    name: `${prefix}connections_closed_total`,
    help: 'Connections closed, by close code (1013: send buffer full; 1006: dropped)',
    labelNames: ['code'],
    registers,
  })
  const relay = new Histogram({
    name: `${prefix}relay_seconds`,
    help: 'From an update’s receipt to its relay to the document’s connections (store append included)',
    buckets: latencyBuckets,
    registers,
  })
  const append = new Histogram({
    name: `${prefix}store_append_seconds`,
    help: 'Store appends, until the update was durable',
    buckets: latencyBuckets,
    registers,
  })
  const compaction = new Histogram({
    name: `${prefix}store_compaction_seconds`,
    help: 'Compactions of a document’s update log into one state, encoding and writing it',
    buckets: compactionBuckets,
    registers,
  })
  const compactedBytes = new Counter({
    name: `${prefix}compacted_log_bytes_total`,
    help: 'Bytes of update logs that compactions replaced',
    registers,
  })
  const storeErrors = new Counter({
    name: `${prefix}store_errors_total`,
    help: 'Store calls that failed, by operation (load, append, compact)',
    labelNames: ['operation'],
    registers,
  })
  const documentFailures = new Counter({
    name: `${prefix}document_failures_total`,
    help: 'Documents Yjs failed on (skipped: stored updates left out; broken: reloaded)',
    labelNames: ['failure'],
    registers,
  })
  const awarenessByRoom = new Map<string, number>()
  new Gauge({
    name: `${prefix}awareness_states`,
    help: 'Awareness (presence) states held, in all documents',
    registers,
    collect() {
      let states = 0
      for (const count of awarenessByRoom.values()) states += count
      this.set(states)
    },
  })
  clusterMetrics(registers, () => source?.stats().cluster)
  const { webhookCounts } = options
  if (webhookCounts) {
    new Counter({
      name: `${prefix}webhook_deliveries_total`,
      help: 'Webhook calls by outcome (delivered, retried, failed: given up, dropped: queue full)',
      labelNames: ['outcome'],
      registers,
      collect() {
        const counts = webhookCounts()
        this.reset()
        for (const outcome of ['delivered', 'retried', 'failed', 'dropped'] as const) {
          this.inc({ outcome }, counts[outcome])
        }
      },
    })
    new Gauge({
      name: `${prefix}webhook_queue_length`,
      help: 'Webhook events waiting to be delivered',
      registers,
      collect() {
        this.set(webhookCounts().queued)
      },
    })
  }

  const observer: CollabObserver = {
    updateStored: (_room, _update, _origin, _document, timing) => {
      append.observe(timing.appendMs / 1000)
      relay.observe(timing.relayMs / 1000)
    },
    compacted: (_room, done) => {
      compaction.observe(done.durationMs / 1000)
      compactedBytes.inc(done.logBytes)
    },
    storeFailed: (_room, operation) => storeErrors.inc({ operation }),
    documentFailed: (_room, failure) => documentFailures.inc({ failure }),
    awarenessChanged: (room, change) => {
      if (change.stateCount > 0) awarenessByRoom.set(room, change.stateCount)
      else awarenessByRoom.delete(room)
    },
    unloaded: (room) => awarenessByRoom.delete(room),
    connectionClosed: (_room, summary) =>
      connectionsClosed.inc({ code: closeCodeLabel(summary.code) }),
    upgradeRefused: (refusal) => upgradesRefused.inc({ reason: refusal.error }),
  }
  return {
    observer,
    bind: (bound) => {
      source = bound
    },
    scrape: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  }
}
