// Compiles the benchmark's child-process scripts (load generator, raw relay) to plain ESM with
// esbuild, so each child runs on bare node without a TypeScript loader, and snapshots our build.
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'

/** Where the compiled scripts go: inside node_modules, so their imports resolve as usual. */
const outDir = 'node_modules/.cache/collab-bench'

/** Paths of the compiled scripts. */
export interface ChildScripts {
  load: string
  relay: string
  /** Our server as built when the run started (dist/ may be rebuilt while the run goes on). */
  ours: string
  /** SHA-1 of that build, recorded with the results. */
  oursSha1: string
}

/** Compiles the child scripts, snapshots the built command and returns their paths. */
export async function buildChildScripts(): Promise<ChildScripts> {
  await build({
    entryPoints: {
      load: 'bench/load/main.ts',
      relay: 'bench/raw-relay.ts',
    },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  })
  // One directory per build, so runs going on at the same time keep their own copy. It holds
  // the command's files (dist/cli.js and the chunks it imports when first needed, as the build
  // record lists them) beside a package.json, as in the repository (the command reads its
  // version there).
  const record = JSON.parse(readFileSync('dist/build-record.json', 'utf8')) as { outputs: string[] }
  const files = record.outputs.filter((path) => /^dist\/[^/]+\.js(\.map)?$/.test(path)).sort()
  const hash = createHash('sha1')
  for (const file of files) if (file.endsWith('.js')) hash.update(readFileSync(file))
  const oursSha1 = hash.digest('hex')
  const oursDir = join(outDir, `ours-${oursSha1.slice(0, 12)}`)
  mkdirSync(join(oursDir, 'dist'), { recursive: true })
  copyFileSync('package.json', join(oursDir, 'package.json'))
  for (const file of files) copyFileSync(file, join(oursDir, file))
  return {
    ours: join(oursDir, 'dist/cli.js'),
    oursSha1,
    load: join(outDir, 'load.mjs'),
    relay: join(outDir, 'relay.mjs'),
  }
}
