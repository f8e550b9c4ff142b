// Options of createCollabServer: the limits with their defaults and the adapters it is given.
import type { DocStore } from '../persistence/store.js'
import type { Authenticate } from './auth.js'
import type { Cluster } from './cluster.js'
import type { DocumentFormats } from './documents/document-formats.js'
import type { CollabObserver } from './events.js'
import type { CollabHooks } from './hooks.js'
import type { CollabMetrics } from './metrics.js'
import type { AllowedOrigins } from './http/origins.js'
import type { Logger } from './logger.js'
import type { VersionRetention } from './rooms/version-history.js'

/** Limits and timings of the server; every one has a default and a CLI flag (cli/config.ts). */
export interface ServerLimits {
  /** Largest accepted frame; a larger one closes the connection with 1009. */
  maxFrameBytes: number
  /** A connection whose unsent data passes this is closed with 1013 instead of buffering more. */
  maxBufferedBytes: number
  /** Ping every connection this often; one that has not answered the previous ping is dropped. */
  heartbeatIntervalMs: number
  /** How long an empty document stays loaded (already written) before it is unloaded. */
  unloadGraceMs: number
  /**
   * Compact a document's update log once it holds this many entries, scaled up for documents
   * larger than `compactAfterBytes` (so that compaction work stays proportional to what was
   * written; server/rooms/compaction-policy.ts)…
   */
  compactAfterUpdates: number
  /** …or once it holds more bytes than the compacted state, and at least this many. */
  compactAfterBytes: number
  /** A document is compacted at most this often while it is open (unloading always compacts). */
  compactMinIntervalMs: number
  /** Connections one document accepts; more are refused at the upgrade with 503. */
  maxConnectionsPerRoom: number
  /** Largest awareness update one connection may send; larger closes it with 1009. */
  maxAwarenessBytes: number
  /**
   * On shutdown, how long /readyz answers 503 while upgrades are still accepted, so that a load
   * balancer notices before connections are refused.
   */
  drainDelayMs: number
  /** On shutdown, clients still connected after this are dropped and the process exits. */
  shutdownTimeoutMs: number
  /**
   * WebSocket connections the server holds at once, upgrades under way included; more are
   * refused at the upgrade with 429. Keep it below the open-file limit: the CLI lowers its
   * default to fit (cli/open-file-limit.ts).
   */
  maxConnections: number
  /** Connections from one client address (server/limits/client-address.ts); 429 beyond. 0: off. */
  maxConnectionsPerIp: number
  /** Documents loaded at once (those waiting out their unload grace too); 503 for another. */
  maxOpenDocuments: number
  /**
   * Frames a connection may originate per second, with a burst (server/limits/frame-budget.ts);
   * faster closes it with 4429. 0: off.
   */
  maxMessagesPerSecond: number
  /** Bytes a connection may originate per second, likewise; faster closes it with 4429. 0: off. */
  maxBytesPerSecond: number
  /** Encoded size a document may grow to; an update that would pass it closes its sender (4413). */
  maxDocumentBytes: number
  /**
   * While a document is edited, save an automatic version this long after the first change since
   * the last one (also when it unloads and when the server stops; never when nothing changed).
   */
  versionIntervalMs: number
  /** Largest request body of the document API (content, versions); larger gets 413. */
  maxRequestBytes: number
  /** Time for a request's headers, and for an upgrade's authentication and load, before a drop. */
  handshakeTimeoutMs: number
  /** Shared types nested within each other in a document; an update nesting deeper: 1007. */
  maxNestingDepth: number
  /**
   * Content a document may hold that waits for content it does not have (Yjs pending structs,
   * which are never integrated until then); an update that would leave more: 1007.
   */
  maxPendingBytes: number
  /** Awareness client ids one connection may own; announcing more is refused (repeated: 1008). */
  maxAwarenessClientsPerConnection: number
  /** Awareness states one document holds; states past it are refused. */
  maxAwarenessStatesPerRoom: number
  /** Bytes of awareness state one document holds; states past it are refused. */
  maxRoomAwarenessBytes: number
}

const MiB = 1024 * 1024

/** The defaults of every limit. */
export const defaultLimits: ServerLimits = {
  maxFrameBytes: 16 * MiB,
  maxBufferedBytes: 32 * MiB,
  heartbeatIntervalMs: 30_000,
  unloadGraceMs: 30_000,
  compactAfterUpdates: 1_000,
  compactAfterBytes: 4 * MiB,
  compactMinIntervalMs: 2_000,
  maxConnectionsPerRoom: 5_000,
  maxAwarenessBytes: 64 * 1024,
  drainDelayMs: 0,
  shutdownTimeoutMs: 10_000,
  maxConnections: 10_000,
  maxConnectionsPerIp: 1_000,
  maxOpenDocuments: 10_000,
  maxMessagesPerSecond: 1_000,
  maxBytesPerSecond: 1 * MiB,
  maxDocumentBytes: 16 * MiB,
  versionIntervalMs: 10 * 60 * 1000,
  maxRequestBytes: 16 * MiB,
  handshakeTimeoutMs: 10_000,
  maxNestingDepth: 100,
  maxPendingBytes: 1 * MiB,
  maxAwarenessClientsPerConnection: 4,
  maxAwarenessStatesPerRoom: 10_000,
  maxRoomAwarenessBytes: 8 * MiB,
}

/** Everything createCollabServer needs. The caller owns the store and closes it after the server. */
export interface CollabServerOptions {
  store: DocStore
  logger: Logger
  limits?: Partial<ServerLimits>
  /**
   * The bus of a cluster of instances on one shared store (server/cluster.ts): each open document
   * has one owner, and connections that reach another instance are forwarded to it.
   */
  cluster?: Cluster
  /** Directory of static files (the built editor and demo pages) served over HTTP; none if unset. */
  staticDirectory?: string
  /**
   * Decides who each WebSocket upgrade comes from and what they may do with its document, before
   * the document is loaded. Default: authentication is off and everyone may write.
   */
  authenticate?: Authenticate
  /** Typed hooks of an embedding app (server/hooks.ts): changes, loads, unloads, store errors. */
  hooks?: CollabHooks
  /** Metrics served at GET /metrics (metrics/prometheus.ts); none if unset. */
  metrics?: CollabMetrics
  /** Told about what happens in rooms (server/events.ts); they never change what happens. */
  observers?: readonly CollabObserver[]
  /**
   * Proxies (IPv4 and IPv6 CIDRs, e.g. `10.0.0.0/8`, `::1/128`) whose X-Forwarded-For names the
   * client's address (server/limits/client-address.ts); none by default: the header is ignored.
   */
  trustedProxies?: readonly string[]
  /**
   * Browser origins allowed besides the server's own (server/http/origins.ts); `'*'`, the
   * default, allows any page, and cookies count only from the server's own origin then.
   */
  allowedOrigins?: AllowedOrigins
  /**
   * Content formats besides `yjs` for the document API and the CLI (content/editor-formats.ts
   * for the editor's documents), or a function that imports them on first use (their HTML and
   * Markdown libraries take memory a server that never converts need not spend); none if unset.
   */
  formats?: DocumentFormats | (() => Promise<DocumentFormats>)
  /** How long automatic and restore versions are kept (default 30 days); named ones stay. */
  versionRetention?: VersionRetention
  /** Serve https and wss on the same port with this certificate chain and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer }
}
