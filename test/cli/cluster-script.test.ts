// `npm run cluster` (scripts/cluster.ts): three built instances behind its round-robin proxy. Two
// stock clients through the proxy converge, and go on converging after the owner of their document
// is killed; SIGTERM stops the instances and the script. Without Redis it says how to start it.
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import type { TestContext } from 'node:test'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import * as Y from 'yjs'
import { deferCleanup } from '../helpers/cleanup.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { waitForTexts, withClusterServices } from '../helpers/cluster.js'
import { freePort } from '../helpers/loopback-ports.js'
import { postgresUrl, testSchema } from '../helpers/postgres.js'
import { redisUrl, testPrefix } from '../helpers/redis.js'
import { until } from '../helpers/until.js'

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url))

/** `count` distinct free loopback ports. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>()
  while (ports.size < count) ports.add(await freePort())
  return [...ports]
}

/** Runs scripts/cluster.ts with `args`; it and whatever it started are killed after the test. */
function runClusterScript(t: TestContext, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts', ...args], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH, POSTGRES_URL: postgresUrl, REDIS_URL: redisUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string)
  const instancePids = (): number[] =>
    [...output.matchAll(/^ {2}instance-\d+ +\S+ +pid (\d+)$/gm)].map((match) => Number(match[1]))
  deferCleanup(t, async () => {
    for (const pid of [child.pid, ...instancePids()]) {
      if (pid !== undefined && isRunning(pid)) process.kill(pid, 'SIGKILL')
    }
    await exited
  })
  return { child, output: () => output, exited, instancePids }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function healthOf(port: number): Promise<{ cluster: { ownedDocuments: number } }> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`)
  return (await response.json()) as { cluster: { ownedDocuments: number } }
}

await withClusterServices('npm run cluster', () => {
  test('npm run cluster serves the editor through its proxy, survives a killed owner and stops on SIGTERM', async (t) => {
    await promisify(execFile)(process.execPath, ['scripts/build.mjs', '--if-stale'], {
      cwd: repositoryRoot,
    })
    const [port = 0, ...instancePorts] = await freePorts(4)
    const script = runClusterScript(t, [
      ...['--port', String(port), '--instance-ports', instancePorts.join(',')],
      ...['--schema', testSchema(t), '--prefix', testPrefix(t)],
    ])
    await Promise.race([
      until(() => script.output().includes('Ctrl-C stops the cluster.'), {
        timeoutMs: 60_000,
        what: 'the banner',
      }),
      script.exited.then((code) => {
        throw new Error(`the script exited with ${code}:\n${script.output()}`)
      }),
    ])
    assert.match(script.output(), new RegExp(`editor +http://127\\.0\\.0\\.1:${port}/`))
    assert.match(
      script.output(),
      /kill one instance \(its pid is printed\) and keep typing: its documents move to another/,
    )
    const pids = script.instancePids()
    assert.equal(pids.length, 3)

    const page = await fetch(`http://127.0.0.1:${port}/`)
    assert.equal(page.status, 200)
    assert.match(await page.text(), /<html/i)

    // Round-robin: the two connections reach two instances, so one of them is forwarded.
    const url = `ws://127.0.0.1:${port}`
    const docs = [new Y.Doc(), new Y.Doc()]
    const providers = docs.map((doc) => connectProvider(t, url, 'cluster-demo', doc))
    await Promise.all(providers.map((provider) => waitSynced(provider)))
    docs[0]?.getText('text').insert(0, 'hello')
    await waitForTexts(docs, () => 'hello', 'the edit to reach the other client')

    const health = await Promise.all(instancePorts.map(healthOf))
    const ownerIndex = health.findIndex((entry) => entry.cluster.ownedDocuments === 1)
    const ownerPid = pids[ownerIndex]
    assert.ok(ownerPid !== undefined, 'one instance owns the document')
    process.kill(ownerPid, 'SIGKILL')
    docs[1]?.getText('text').insert(5, ' again')
    await waitForTexts(docs, () => 'hello again', 'the edit after the owner was killed')
    assert.match(script.output(), /took over a document whose owner had died/)
    assert.match(script.output(), new RegExp(`pid ${ownerPid}\\) exited with SIGKILL`))

    script.child.kill('SIGTERM')
    assert.equal(await script.exited, 0)
    assert.deepEqual(
      pids.filter((pid) => isRunning(pid)),
      [],
      'the instances have stopped',
    )
  })
})

test('npm run cluster without Redis says how to start it and how to run the instances by hand, and exits 1', async (t) => {
  const script = runClusterScript(t, ['--port', '4100'], {
    REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
  })
  assert.equal(await script.exited, 1)
  const output = script.output()
  assert.match(output, /Redis does not answer at redis:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED/)
  assert.match(output, /redis-server --daemonize yes --bind 127\.0\.0\.1 --port \d+/)
  for (const [index, port] of [4101, 4102, 4103].entries()) {
    assert.match(
      output,
      new RegExp(
        `node dist/cli\\.js --port ${port} .*--redis "\\$REDIS_URL" --redis-prefix collab: --instance-id instance-${index + 1}`,
      ),
    )
  }
})
