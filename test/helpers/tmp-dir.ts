// Temporary directories that a test removes when it ends.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { deferCleanup } from './cleanup.js'

/**
 * Creates an empty directory, removed after the test once everything set up after it (stores,
 * servers) has been released.
 */
export async function makeTempDir(t: TestContext, prefix = 'collab-test-'): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), prefix))
  deferCleanup(t, () => rm(directory, { recursive: true, force: true }))
  return directory
}
