// Opening the LevelDB store on a data directory that cannot be used: one clear rejection, fast.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { openLevelDbStore } from '../../persistence/leveldb/store.js'
import { type WalFileSystem, nodeWalFileSystem } from '../../persistence/leveldb/write-ahead-log.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { makeTempDir } from '../helpers/tmp-dir.js'

const fixture = fileURLToPath(new URL('fixtures/open-store.ts', import.meta.url))

/** Opens the store in a child process; kills it if the open has not settled in 20 s. */
async function openInChild(
  directory: string,
): Promise<{ elapsedMs: number; error: string | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, directory], {
    stdio: ['ignore', 'pipe', 'inherit'],
    signal: AbortSignal.timeout(20_000),
    killSignal: 'SIGKILL',
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  // The abort is reported as an 'error' event as well as by the exit; the exit is what counts.
  child.on('error', () => undefined)
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.on('exit', (...exit) => resolve(exit)),
  )
  assert.equal(signal, null, `the open never settled; the child was killed:\n${output}`)
  assert.equal(code, 0)
  return JSON.parse(output) as { elapsedMs: number; error: string | null }
}

test(
  'a data directory that cannot be created under /proc rejects within a second, naming it',
  { skip: process.platform !== 'linux' && 'needs Linux /proc' },
  async () => {
    const { elapsedMs, error } = await openInChild('/proc/x')
    assert.match(error ?? '', /^cannot create the data directory \/proc\/x: ENOENT/)
    assert.ok(elapsedMs < 1000, `rejected after ${elapsedMs} ms`)
  },
)

test('a file where the data directory should be rejects, naming the directory', async (t) => {
  const parent = await makeTempDir(t)
  const file = join(parent, 'file')
  await writeFile(file, 'x')
  await assert.rejects(openLevelDbStore({ directory: file }), {
    message: `cannot create the data directory ${file}: ${file} exists and is not a directory`,
  })
  const below = join(file, 'data')
  await assert.rejects(openLevelDbStore({ directory: below }), (error: Error) =>
    error.message.startsWith(`cannot create the data directory ${below}: ENOTDIR`),
  )
})

test('a symlink to nowhere on the way to the data directory rejects, naming it', async (t) => {
  const parent = await makeTempDir(t)
  const link = join(parent, 'link')
  await symlink(join(parent, 'gone'), link)
  await assert.rejects(openLevelDbStore({ directory: join(link, 'data') }), {
    message: `cannot create the data directory ${join(link, 'data')}: ${link} exists and is not a directory`,
  })
})

test('missing parents of the data directory are created, and a symlink to a directory is followed', async (t) => {
  const parent = await makeTempDir(t)
  await mkdir(join(parent, 'real'))
  await symlink(join(parent, 'real'), join(parent, 'link'))
  const directory = join(parent, 'link', 'a', 'b', 'data')
  const store = await openLevelDbStore({ directory })
  deferCleanup(t, () => store.close())
  assert.ok((await stat(join(parent, 'real', 'a', 'b', 'data', 'write-ahead-log'))).isDirectory())
})

test('a data directory open in another store rejects, saying it is locked', async (t) => {
  const directory = await makeTempDir(t)
  const store = await openLevelDbStore({ directory })
  deferCleanup(t, () => store.close())
  await assert.rejects(openLevelDbStore({ directory }), {
    message: `the data directory ${directory} is locked by another running server; stop it or choose another data directory`,
  })
})

test('an open that fails reading the write-ahead log leaves the directory free to open again', async (t) => {
  const directory = await makeTempDir(t)
  const unreadable: WalFileSystem = {
    ...nodeWalFileSystem,
    list: () => {
      throw new Error('EACCES: permission denied, scandir')
    },
  }
  await assert.rejects(openLevelDbStore({ directory, walFileSystem: unreadable }), /EACCES/)
  const store = await openLevelDbStore({ directory })
  deferCleanup(t, () => store.close())
})
