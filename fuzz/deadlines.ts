// Deadlines for everything the fuzzer waits for: a missed one is how a hang shows.
import { setTimeout as delay } from 'node:timers/promises'

/** Something did not happen in time. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError'
}

/** Rejects with a DeadlineError naming `what` after `timeoutMs`, unless `promise` settles first. */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DeadlineError(`no ${what} within ${timeoutMs} ms`)),
      timeoutMs,
    )
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}

/** Resolves once `condition` holds; rejects with a DeadlineError naming `what` after `timeoutMs`. */
export async function pollUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  intervalMs = 20,
): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!(await condition())) {
    if (performance.now() > deadline) throw new DeadlineError(`no ${what} within ${timeoutMs} ms`)
    await delay(intervalMs)
  }
}
