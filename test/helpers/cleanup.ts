// Cleanup in reverse order of setup. node:test runs a test's after-hooks in the order they were
// added, so a temporary directory created first would be removed before the store or server
// that writes into it is closed; resources registered here are released last-in, first-out.
import type { TestContext } from 'node:test'

const stacks = new WeakMap<TestContext, Array<() => unknown>>()

/** Runs `release` after the test, before whatever was registered here earlier. */
export function deferCleanup(t: TestContext, release: () => unknown): void {
  let stack = stacks.get(t)
  if (!stack) {
    const releases: Array<() => unknown> = []
    stacks.set(t, releases)
    t.after(async () => {
      for (let next = releases.pop(); next; next = releases.pop()) await next()
    })
    stack = releases
  }
  stack.push(release)
}
