// Types shared by the orchestrator (bench/run.ts) and the load generator (bench/load/main.ts):
// the task a measurement runs, what it reports, and the messages between the two processes.
import type { MachineLoad } from '../machine-load.js'
import type { WireProtocol } from '../protocols.js'

/**
 * Our build as three servers: `ours` as shipped (metrics on, nobody scrapes them), the one the
 * peers are compared with; `ours-bare` with metrics and webhooks off and `ours-ops` with both on
 * and used (bench/ops-traffic.ts), the two sides of the operations comparison.
 */
export const oursKinds = ['ours', 'ours-bare', 'ours-ops'] as const

/** The servers a run can measure. */
export const serverKinds = [...oursKinds, 'ywebsocket', 'hocuspocus', 'relay'] as const

/** One of `serverKinds`. */
export type ServerKind = (typeof serverKinds)[number]

/** The servers a run measures unless --servers names others: ours and the peers. */
export const defaultServerKinds: readonly ServerKind[] = [
  'ours',
  'ywebsocket',
  'hocuspocus',
  'relay',
]

/** True for the servers that run our build (profiling, /healthz and the like apply to them). */
export const isOurs = (kind: ServerKind): boolean =>
  (oursKinds as readonly ServerKind[]).includes(kind)

/** The scenarios, in the order they run. */
export const scenarioNames = [
  'fanout',
  'many-rooms',
  'idle',
  'churn',
  'cold-load',
  'trace-replay',
] as const

/** One of `scenarioNames`. */
export type ScenarioName = (typeof scenarioNames)[number]

/** A running server as the load generator sees it. */
export interface ServerInfo {
  kind: ServerKind
  pid: number
  baseUrl: string
  protocol: WireProtocol
  /** False for the raw relay, which keeps no document. */
  hasServerState: boolean
  /** Inspector port of our server (any of `oursKinds`) in a profiling run. */
  inspectPort?: number
}

/** Numeric parameters of one scenario variant (sizes, rates, durations). */
export type Params = Record<string, number>

/** One measurement to take. */
export interface Task {
  scenario: ScenarioName
  params: Params
  server: ServerInfo
  /**
   * Profiling run: where profiles go. Memory scenarios ask our server for a heap snapshot at
   * their peak, and allocations are sampled during each measurement window. Null otherwise.
   */
  profileDir: string | null
}

/** Figures of one measurement; null where a figure does not apply to the server. */
export type Figures = Record<string, number | null>

/** Wall-clock bounds of a measurement window, in ms since the epoch. */
export interface Span {
  fromEpochMs: number
  toEpochMs: number
}

/** What one measurement reports. */
export interface Measurement {
  figures: Figures
  load: MachineLoad
  span: Span
}

/** Messages from the load generator to the orchestrator. */
export type LoadMessage =
  | { type: 'ready' }
  | { type: 'restart' }
  | { type: 'result'; measurement: Measurement }
  | { type: 'failed'; message: string }

/** Messages from the orchestrator to the load generator. */
export type HostMessage = { type: 'task'; task: Task } | { type: 'restarted'; server: ServerInfo }
