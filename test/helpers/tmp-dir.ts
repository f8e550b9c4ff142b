// Temporary directories that a test removes when it ends.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'

/**
 * Creates an empty directory, removed after the test, after `beforeRemoving` (e.g. closing the
 * store that writes into it: after-hooks run in the order they were added).
 */
export async function makeTempDir(
  t: TestContext,
  prefix = 'collab-test-',
  beforeRemoving?: () => Promise<void>,
): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), prefix))
  t.after(async () => {
    await beforeRemoving?.()
    await rm(directory, { recursive: true, force: true })
  })
  return directory
}
