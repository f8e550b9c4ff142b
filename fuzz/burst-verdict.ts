// Judges one burst: did the connection end as the frames it carried say it must? Only the last
// frame of a burst may be one the server must close for (fuzz/burst.ts), so the close code must
// be that frame's, or one that a frame the server may refuse allows.
import type { PlannedFrame } from './burst.js'
import type { BurstObservation } from './hostile-connection.js'

/** What went wrong with a burst. */
export type BurstFailureKind =
  | 'refused upgrade'
  | 'no greeting'
  | 'hang'
  | 'wrong close code'
  | 'not closed'
  | 'unexpected close'
  | 'bad server frame'

/** A burst's failure, with the frame it is pinned on (the last one, when that must close). */
export interface BurstFailure {
  readonly kind: BurstFailureKind
  readonly detail: string
  readonly culprit?: PlannedFrame
}

/** The verdict on one burst. */
export interface BurstVerdict {
  readonly failures: readonly BurstFailure[]
  /** How the connection ended, for the report: the server's close code, or who else ended it. */
  readonly ending: string
}

const closedByFuzzer = 'closed by the fuzzer (1000)'
const hung = 'hung'

/** Frames whose answer (a sync step 2) an open connection owes. */
export function expectedAnswers(frames: readonly PlannedFrame[]): number {
  return frames.filter((frame) => frame.expectation.outcome === 'answered').length
}

const describe = (closed: { code: number; reason: string }): string =>
  `${closed.code}${closed.reason ? ` "${closed.reason}"` : ''}`

/** Compares what a burst's connection saw with what its frames say must happen. */
export function judgeBurst(
  frames: readonly PlannedFrame[],
  observation: BurstObservation,
): BurstVerdict {
  if (observation.phase === 'open') {
    return {
      failures: [{ kind: 'refused upgrade', detail: observation.error }],
      ending: 'never opened',
    }
  }
  if (observation.phase === 'greeting') {
    const closed = observation.closed
    if (!closed) return { failures: [{ kind: 'hang', detail: observation.error }], ending: hung }
    return {
      failures: [{ kind: 'no greeting', detail: `closed with ${describe(closed)} before it` }],
      ending: String(closed.code),
    }
  }
  const last = frames.at(-1)
  const closer = last?.expectation.outcome === 'closed' ? last : undefined
  const mayCloseWith = new Set(frames.flatMap((frame) => frame.expectation.codes))
  const failures: BurstFailure[] = []
  if (observation.badServerFrames > 0) {
    failures.push({
      kind: 'bad server frame',
      detail: `${observation.badServerFrames} frames from the server did not decode`,
    })
  }
  if (observation.isHung) {
    failures.push({
      kind: 'hang',
      detail: `neither a close nor an answer to the probe (${observation.answers} answers so far)`,
      culprit: closer,
    })
    return { failures, ending: hung }
  }
  const { closedByServer, closedAtEnd } = observation
  if (closedByServer) {
    if (!mayCloseWith.has(closedByServer.code)) {
      failures.push({
        kind: closer ? 'wrong close code' : 'unexpected close',
        detail: `closed with ${describe(closedByServer)}; allowed: ${[...mayCloseWith].join(', ') || 'none'}`,
        culprit: closer,
      })
    }
    return { failures, ending: String(closedByServer.code) }
  }
  if (closer) {
    failures.push({
      kind: 'not closed',
      detail: `the probe was answered; expected a close with ${closer.expectation.codes.join(' or ')}`,
      culprit: closer,
    })
  }
  // The fuzzer closed with 1000; a close the server sent at the same moment may win the race.
  if (closedAtEnd && closedAtEnd.code !== 1000) {
    if (!mayCloseWith.has(closedAtEnd.code)) {
      failures.push({
        kind: 'unexpected close',
        detail: `closed with ${describe(closedAtEnd)} after the probe was answered`,
      })
    }
    return { failures, ending: String(closedAtEnd.code) }
  }
  return { failures, ending: closedByFuzzer }
}
