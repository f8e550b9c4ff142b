// The liveness probe: while the soak runs, a fresh client loads a document every interval and
// must be answered within the deadline, however busy the hostile connections keep the server.
import { setTimeout as delay } from 'node:timers/promises'
import { DeadlineError } from './deadlines.js'
import { loadAsFreshClient } from './fresh-reader.js'
import type { Random } from './random.js'
import type { FuzzReport } from './report.js'

/** What the probe needs; `random` picks the documents. */
export interface ProbeOptions {
  readonly url: string
  readonly rooms: readonly string[]
  readonly intervalMs: number
  readonly deadlineMs: number
  readonly random: Random
  readonly report: FuzzReport
}

/** Starts probing; `stop` resolves once the probe under way has finished. */
export function startLivenessProbe(options: ProbeOptions): { stop: () => Promise<void> } {
  let isStopped = false
  const loop = async (): Promise<void> => {
    while (!isStopped) {
      await delay(options.intervalMs)
      if (isStopped) return
      const room = options.random.pick(options.rooms)
      try {
        const loaded = await loadAsFreshClient(options.url, room, options.deadlineMs)
        loaded.doc.destroy()
        options.report.addProbe(loaded.latencyMs)
      } catch (error) {
        options.report.addFailure({
          kind: error instanceof DeadlineError ? 'probe hang' : 'probe failed',
          room,
          detail: (error as Error).message,
        })
      }
    }
  }
  const running = loop()
  return {
    stop: () => {
      isStopped = true
      return running
    },
  }
}
