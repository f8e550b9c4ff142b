import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { deferCleanup } from '../helpers/cleanup.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url))

/** The JSON lines a process printed so far. */
const printedLines = (output: string): Array<Record<string, unknown>> =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)

test('the embedding example serves its own route beside the collaboration server and hears its hooks', async (t) => {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'examples/embedded-server.ts'],
    {
      cwd: repositoryRoot,
      env: { PATH: process.env.PATH, PORT: '0', DATA_DIR: await makeTempDir(t) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  deferCleanup(t, () => {
    if (child.exitCode === null) child.kill('SIGKILL')
    return exited.then(() => undefined)
  })
  let base = ''
  await until(
    () => {
      const listening = printedLines(output).find((line) => 'listening' in line)
      base = (listening?.listening as string | undefined) ?? ''
      return base !== ''
    },
    { timeoutMs: 20_000, what: `the example to listen; it printed:\n${output}` },
  )

  const own = await fetch(`${base}/hello`)
  assert.equal(own.status, 200)
  assert.equal(((await own.json()) as { hello: string }).hello, 'from the app')
  assert.equal((await fetch(`${base}/readyz`)).status, 200)
  assert.match(await (await fetch(`${base}/metrics`)).text(), /^collab_connections 0$/m)

  const wsUrl = base.replace('http', 'ws')
  const a = connectProvider(t, wsUrl, 'embedded')
  const b = connectProvider(t, wsUrl, 'embedded')
  await Promise.all([waitSynced(a), waitSynced(b)])
  a.doc.getText('text').insert(0, 'written through the app')
  await until(() => b.doc.getText('text').toString() === 'written through the app', {
    what: 'the edit to cross the embedded server',
  })
  await until(() => printedLines(output).some((line) => line.hook === 'onChange'), {
    what: 'the onChange hook',
  })
  const hooks = printedLines(output).filter((line) => 'hook' in line)
  assert.deepEqual(hooks[0], { hook: 'onLoad', document: 'embedded' })
  assert.deepEqual(hooks[1], {
    hook: 'onChange',
    document: 'embedded',
    authors: [],
    origin: 'connection',
  })
  const counted = (await (await fetch(`${base}/hello`)).json()) as { edits: Record<string, number> }
  assert.ok((counted.edits.embedded ?? 0) >= 1, 'the app’s route sees what its hooks recorded')

  child.kill('SIGTERM')
  assert.equal(await exited, 0, output)
  assert.deepEqual(printedLines(output).at(-1), {
    hook: 'onUnload',
    document: 'embedded',
    text: 'written through the app',
  })
})
