// What a scenario gets from the load generator: the server under test (which changes when the
// orchestrator restarts it) and a way to ask for that restart.
import type { Measurement, Params, ServerInfo } from '../scenarios/types.js'
import type { Target } from './client.js'
import type { MeasurementWindow } from './measure.js'

/** The load generator's view of the server under test. */
export interface LoadContext {
  /** The server as it runs now; a restart replaces it. */
  server(): ServerInfo
  /** Where clients connect to the server as it runs now. */
  target(): Target
  /** Asks the orchestrator to stop the server and start it again on the same data. */
  restart(): Promise<void>
  /**
   * In a profiling run, makes our server write a heap snapshot (SIGUSR2, see bench/run.ts) and
   * waits until it is written; otherwise does nothing.
   */
  takeHeapSnapshot(): Promise<void>
  /**
   * Opens a measurement window over the server (see `openWindow` in measure.ts). In a profiling
   * run it also samples our server's allocations while the window is open.
   */
  openWindow(): MeasurementWindow
}

/** A scenario: runs one measurement against the server in `context`. */
export type Scenario = (context: LoadContext, params: Params) => Promise<Measurement>

/** A room name no earlier measurement used. */
export function freshRoom(prefix: string, index = 0): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${index}`
}
