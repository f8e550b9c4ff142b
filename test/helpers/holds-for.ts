// Asserting that something does not happen: polls a condition for a whole window and fails as
// soon as it stops holding. The counterpart of until.ts; the window is what the test reasons
// about (e.g. three timer intervals), never a guess at how long something takes.
import { setTimeout as delay } from 'node:timers/promises'

/** Options of `holdsFor`. */
export interface HoldsForOptions {
  /** How long the condition must keep holding. */
  durationMs: number
  intervalMs?: number
  /** Says what must keep holding, for the failure message. */
  what?: string
}

/**
 * Resolves once `condition` has held at every poll for `durationMs` (checked once more at the
 * end); rejects at the first poll where it does not.
 */
export async function holdsFor(
  condition: () => boolean | Promise<boolean>,
  { durationMs, intervalMs = 25, what = 'condition' }: HoldsForOptions,
): Promise<void> {
  const startedAtMs = Date.now()
  for (;;) {
    const elapsedMs = Date.now() - startedAtMs
    if (!(await condition())) throw new Error(`${what} stopped holding after ${elapsedMs} ms`)
    if (elapsedMs >= durationMs) return
    await delay(Math.min(intervalMs, durationMs - elapsedMs))
  }
}
