// The peer servers the benchmark compares ours with live in the benchmark's own package
// (bench/package.json, bench/package-lock.json, bench/.npmrc), so the repository's `npm ci` never
// installs or compiles them. This module installs them into bench/node_modules on first use and
// again whenever the lockfile changed, builds sqlite3's native part if npm did not, and says where
// each peer and its version are.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const benchDir = fileURLToPath(new URL('.', import.meta.url))
const lockfile = join(benchDir, 'package-lock.json')
const modulesDir = join(benchDir, 'node_modules')
/** SHA-1 of the lockfile bench/node_modules was installed from; written after a good install. */
const stampPath = join(modulesDir, '.collab-bench-lock.sha1')

/** The peers' entry points: the y-websocket reference server and our Hocuspocus launcher. */
export const peerScripts = {
  ywebsocket: join(modulesDir, '@y/websocket-server/src/server.js'),
  hocuspocus: join(benchDir, 'hocuspocus-server.mjs'),
}

/**
 * Runs `npm ci --prefix bench` unless bench/node_modules was installed from the current
 * bench/package-lock.json. Throws if npm fails.
 */
export function ensurePeersInstalled(): void {
  const lockSha1 = createHash('sha1').update(readFileSync(lockfile)).digest('hex')
  const installedSha1 = existsSync(stampPath) ? readFileSync(stampPath, 'utf8').trim() : null
  if (installedSha1 === lockSha1) return
  const why = installedSha1 === null ? 'not installed yet' : 'bench/package-lock.json changed'
  console.log(`installing the peer servers (${why}): npm ci --prefix bench`)
  const result = spawnSync('npm', ['ci', '--prefix', benchDir], { stdio: 'inherit' })
  if (result.status !== 0) throw new Error('npm ci --prefix bench failed; see its output above')
  writeFileSync(stampPath, `${lockSha1}\n`)
}

/**
 * The directory of package `name` as code in directory `from` resolves it: the nearest
 * node_modules/<name> on the way up (bench/.npmrc nests the peers' dependencies under them).
 */
function packageDir(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(dir) === dir) throw new Error(`${name} is not installed (looked from ${from})`)
  }
}

function version(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string })
    .version
}

const sqliteExtensionDir = (): string => packageDir('@hocuspocus/extension-sqlite', benchDir)

/**
 * Hocuspocus's SQLite extension needs sqlite3's native binary, which npm builds during the install
 * unless install scripts are off. Then this runs sqlite3's install script once (it falls back to
 * node-gyp, with npm's settings); throws with the command if that fails.
 */
export function ensureSqliteBinary(): void {
  const binary = join(
    packageDir('sqlite3', sqliteExtensionDir()),
    'build/Release/node_sqlite3.node',
  )
  if (existsSync(binary)) return
  const args = ['rebuild', '--prefix', benchDir, '--ignore-scripts=false', 'sqlite3']
  console.log(`building sqlite3's native binary (once): npm ${args.join(' ')}`)
  const result = spawnSync('npm', args, { stdio: 'inherit' })
  if (result.status !== 0 || !existsSync(binary)) {
    throw new Error(`could not build sqlite3; run: npm ${args.join(' ')}`)
  }
}

/**
 * Versions of the peers and of their storage, as installed, for the results. Their yjs is ours:
 * bench/.npmrc leaves peer dependencies to the repository's node_modules.
 */
export function peerVersions(): Record<string, string> {
  const ywebsocketDir = packageDir('@y/websocket-server', benchDir)
  const extensionDir = sqliteExtensionDir()
  return {
    '@y/websocket-server': version(ywebsocketDir),
    '@hocuspocus/server': version(packageDir('@hocuspocus/server', benchDir)),
    '@hocuspocus/extension-sqlite': version(extensionDir),
    'y-leveldb': version(packageDir('y-leveldb', ywebsocketDir)),
    sqlite3: version(packageDir('sqlite3', extensionDir)),
  }
}
