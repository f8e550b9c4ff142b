// SIGTERM and SIGINT → one drain. Under `npm start` a signal can arrive twice: from the process
// group and again from npm, which forwards what it gets to its child. A repeated SIGTERM is never
// more than that; a SIGINT that comes well after the drain started is a person pressing Ctrl-C
// again, and forces the exit.
import type { Logger } from '../server/logger.js'

/** A SIGINT this soon after the drain started is the forwarded copy of the same Ctrl-C. */
const forwardedCopyWindowMs = 500

/** Calls `drain` on the first SIGTERM or SIGINT, and `forceExit` on a person's second SIGINT. */
export function handleShutdownSignals(
  logger: Logger,
  drain: (signal: NodeJS.Signals) => void,
  forceExit: () => void,
): void {
  let drainStartedAtMs: number | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    const nowMs = performance.now()
    if (drainStartedAtMs === undefined) {
      drainStartedAtMs = nowMs
      drain(signal)
      return
    }
    if (signal === 'SIGINT' && nowMs - drainStartedAtMs > forwardedCopyWindowMs) {
      logger.warn({ signal }, 'second interrupt: exiting without waiting for the drain')
      forceExit()
      return
    }
    logger.info({ signal }, 'already draining; the signal changes nothing')
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}
