// The record of the last build, dist/build-record.json: every file the build read (the inputs
// esbuild's metafile lists, plus the build's own configuration) with its SHA-1, and every file it
// wrote. A build is stale when that record is missing, an output is missing, or an input's content
// differs; `npm start` rebuilds only then (scripts/build.mjs --if-stale).
import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { writeAtomically } from './atomic-files.mjs'

/** Where the record lives, relative to the repository root. */
const recordPath = 'dist/build-record.json'

/**
 * What the build depends on besides what esbuild reports: the build script and its helpers,
 * esbuild's version, the TypeScript settings esbuild reads, and the installed dependencies (a
 * changed lockfile can change how a package resolves even when no file esbuild read changed).
 */
export const configurationInputs = [
  'scripts/build.mjs',
  'scripts/build-record.mjs',
  'scripts/atomic-files.mjs',
  'node_modules/esbuild/package.json',
  'tsconfig.json',
  'editor/tsconfig.json',
  'package-lock.json',
]

/** Hex SHA-1 of a file's content, or null when it does not exist. */
async function fileSha1(path) {
  try {
    return createHash('sha1')
      .update(await readFile(path))
      .digest('hex')
  } catch (error) {
    if (error.code === 'ENOENT') return null
    throw error
  }
}

const exists = (path) =>
  stat(path).then(
    () => true,
    () => false,
  )

/**
 * Records a finished build. `inputs` and `outputs` are paths relative to `root`. An input modified
 * since `startedAtMs` may not be what the build read, so it is recorded as changed: the next
 * `--if-stale` builds again.
 */
export async function writeBuildRecord(root, { inputs, outputs, startedAtMs }) {
  const hashes = {}
  for (const input of [...new Set([...configurationInputs, ...inputs])].sort()) {
    const path = join(root, input)
    const modifiedMs = (await stat(path).catch(() => null))?.mtimeMs ?? 0
    hashes[input] = modifiedMs > startedAtMs ? 'changed during the build' : await fileSha1(path)
  }
  const record = { inputs: hashes, outputs: [...outputs].sort() }
  await writeAtomically(join(root, recordPath), `${JSON.stringify(record, null, 2)}\n`)
}

/** Why the build under `root` must be redone, in a few words, or null when it is up to date. */
export async function staleReason(root) {
  let record
  try {
    record = JSON.parse(await readFile(join(root, recordPath), 'utf8'))
  } catch {
    return 'no build yet'
  }
  for (const output of record.outputs) {
    if (!(await exists(join(root, output)))) return `${output} is missing`
  }
  for (const [input, sha1] of Object.entries(record.inputs)) {
    const current = await fileSha1(join(root, input))
    if (current !== sha1) return current === null ? `${input} is gone` : `${input} changed`
  }
  return null
}
