// Options of createCollabServer: the limits with their defaults and the adapters it is given.
import type { DocStore } from '../persistence/store.js'
import type { Authenticate } from './auth.js'
import type { CollabObserver } from './events.js'
import type { Logger } from './logger.js'

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
  /** Compact a document's update log once it holds this many entries… */
  compactAfterUpdates: number
  /** …or this many bytes. */
  compactAfterBytes: number
  /** Connections one document accepts; more are refused at the upgrade with 503. */
  maxConnectionsPerRoom: number
  /** Largest awareness update one connection may send; larger closes it with 1009. */
  maxAwarenessBytes: number
  /** On shutdown, clients still connected after this are dropped and the process exits. */
  shutdownTimeoutMs: number
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
  maxConnectionsPerRoom: 5_000,
  maxAwarenessBytes: 64 * 1024,
  shutdownTimeoutMs: 10_000,
}

/** Everything createCollabServer needs. The caller owns the store and closes it after the server. */
export interface CollabServerOptions {
  store: DocStore
  logger: Logger
  limits?: Partial<ServerLimits>
  /** Directory of static files (the built editor and demo pages) served over HTTP; none if unset. */
  staticDirectory?: string
  /**
   * Decides who each WebSocket upgrade comes from and what they may do with its document, before
   * the document is loaded. Default: authentication is off and everyone may write.
   */
  authenticate?: Authenticate
  /** Told about what happens in rooms (server/events.ts); they never change what happens. */
  observers?: readonly CollabObserver[]
}
