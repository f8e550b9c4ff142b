// Polls a condition until it holds or a deadline passes. Tests wait with this, never with sleeps.
import { setTimeout as delay } from 'node:timers/promises'

/** Options of `until`. */
export interface UntilOptions {
  timeoutMs?: number
  intervalMs?: number
  /** Says what was awaited, for the failure message. */
  what?: string
}

/** Resolves once `condition` returns true; rejects with `what` after `timeoutMs`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, intervalMs = 10, what = 'condition' }: UntilOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await condition()) return
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await delay(intervalMs)
  }
}
