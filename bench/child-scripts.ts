// Compiles the benchmark's child-process scripts (load generator, raw relay, Hocuspocus launcher)
// to plain ESM with esbuild, so each child runs on bare node without a TypeScript loader.
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { build } from 'esbuild'

/** Where the compiled scripts go: inside node_modules, so their imports resolve as usual. */
const outDir = 'node_modules/.cache/collab-bench'

/** Paths of the compiled scripts. */
export interface ChildScripts {
  load: string
  relay: string
  hocuspocus: string
  /** Our server as built when the run started (dist/ may be rebuilt while the run goes on). */
  ours: string
  /** SHA-1 of that build, recorded with the results. */
  oursSha1: string
}

/** Compiles the three child scripts and returns their paths. */
export async function buildChildScripts(): Promise<ChildScripts> {
  await build({
    entryPoints: {
      load: 'bench/load/main.ts',
      relay: 'bench/raw-relay.ts',
      hocuspocus: 'bench/hocuspocus-server.ts',
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
  // One directory per build, so runs going on at the same time keep their own copy.
  const oursSha1 = createHash('sha1').update(readFileSync('dist/cli.js')).digest('hex')
  const oursDir = join(outDir, `ours-${oursSha1.slice(0, 12)}`)
  mkdirSync(oursDir, { recursive: true })
  copyFileSync('dist/cli.js', join(oursDir, 'cli.js'))
  copyFileSync('dist/cli.js.map', join(oursDir, 'cli.js.map'))
  return {
    ours: join(oursDir, 'cli.js'),
    oursSha1,
    load: join(outDir, 'load.mjs'),
    relay: join(outDir, 'relay.mjs'),
    hocuspocus: join(outDir, 'hocuspocus.mjs'),
  }
}

const sqliteDir = 'node_modules/sqlite3'
const sqliteBinary = join(sqliteDir, 'build/Release/node_sqlite3.node')

/**
 * Hocuspocus's SQLite extension needs sqlite3's native binary, which npm does not build when
 * install scripts are off. Builds it once with node-gyp; throws with the command if that fails.
 */
export function ensureSqliteBinary(): void {
  if (existsSync(sqliteBinary)) return
  console.log(`building ${sqliteBinary} (once): cd ${sqliteDir} && npx node-gyp rebuild`)
  const result = spawnSync('npx', ['node-gyp', 'rebuild'], { cwd: sqliteDir, stdio: 'inherit' })
  if (result.status !== 0 || !existsSync(sqliteBinary)) {
    throw new Error(`could not build sqlite3; run: cd ${sqliteDir} && npx node-gyp rebuild`)
  }
}
