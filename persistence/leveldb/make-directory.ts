// Creates the data directory with its missing parents, failing where Node's own does not return:
// `mkdir(path, { recursive: true })` loops for ever when a parent exists but cannot hold the child
// (a path under /proc, a dangling symlink). Imports only node:fs and node:path.
import { mkdir, stat } from 'node:fs/promises'
import { dirname } from 'node:path'

/** Creates `directory` without parents; resolves to the ENOENT error when its parent is missing. */
async function makeOne(directory: string): Promise<Error | null> {
  try {
    await mkdir(directory)
    return null
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return error as Error
    if (code !== 'EEXIST') throw error
    // A file, or a symlink to nothing, is in the way.
    const isDirectory = await stat(directory).then(
      (stats) => stats.isDirectory(),
      () => false,
    )
    if (!isDirectory)
      throw new Error(`${directory} exists and is not a directory`, { cause: error })
    return null
  }
}

/**
 * Creates `directory` and any missing parents, as `mkdir -p` does; resolves at once when it is a
 * directory already. Rejects with the system error when it cannot be created.
 */
export async function makeDirectory(directory: string): Promise<void> {
  if ((await makeOne(directory)) === null) return
  const parent = dirname(directory)
  if (parent !== directory) await makeDirectory(parent)
  // The parent exists now, so a second ENOENT is final: the child cannot be made there.
  const error = await makeOne(directory)
  if (error) throw error
}
