// Watching the server process for an exit nobody asked for: a crash, reported once with the
// bursts that were being sent when it happened.
import { type InFlightBurst, describeKinds } from './hostile-slots.js'
import type { FuzzReport } from './report.js'
import type { ServerProcess } from './server-process.js'

const outputShown = 4_000

/** Reports a server exit during the run, with the bursts being sent at the time. */
export function watchForCrash(
  server: ServerProcess,
  report: FuzzReport,
  inFlight: ReadonlyMap<number, InFlightBurst>,
): { hasCrashed: () => boolean; stopWatching: () => void } {
  let hasCrashed = false
  let isWatching = true
  void server.exited.then((code) => {
    if (!isWatching) return
    hasCrashed = true
    const output = server.outputTail().slice(-outputShown)
    report.addFailure({
      kind: 'crash',
      detail: `the server exited with ${code}; its last output:\n${output}`,
    })
    for (const burst of inFlight.values()) {
      report.addFailure({
        kind: 'in flight at the crash',
        detail: `${burst.frames.length} frames`,
        burst: burst.id,
        room: burst.room,
        frame: burst.frames.at(-1),
        burstKinds: describeKinds(burst.frames),
      })
    }
  })
  return {
    hasCrashed: () => hasCrashed,
    stopWatching: () => {
      isWatching = false
    },
  }
}
