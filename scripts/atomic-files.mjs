// Writes and copies files atomically (a temporary file renamed over the target), so a running
// server or a parallel build never reads half a file.
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { pid } from 'node:process'

/** Replaces `path` with `contents` in one rename, creating its directory if needed. */
export async function writeAtomically(path, contents) {
  await mkdir(dirname(path), { recursive: true })
  const temporary = `${path}.${pid}.tmp`
  await writeFile(temporary, contents)
  await rename(temporary, path)
}

/** Replaces `to` with a copy of `from` in one rename, creating its directory if needed. */
export async function copyAtomically(from, to) {
  await mkdir(dirname(to), { recursive: true })
  const temporary = `${to}.${pid}.tmp`
  await copyFile(from, temporary)
  await rename(temporary, to)
}
