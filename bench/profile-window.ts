// Where a measurement window lies in a server's CPU profile; written by bench/run.ts in a
// profiling run, read by bench/profile-summary.ts.

/** A window of server process `pid`, in ms after the process was spawned. */
export interface ProfileWindow {
  pid: number
  fromMs: number
  toMs: number
}
