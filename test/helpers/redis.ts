// Redis for tests: the machine's server (REDIS_URL, else 127.0.0.1:6379 that .ci/run starts), a key
// prefix of its own for each test whose keys are deleted after it, a redis-server of a test's own
// on a free port for tests that kill and restart it, and tests that need Redis skipped with a
// message where it does not run, except under CI=true, where that is a failure.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { type TestContext, test } from 'node:test'
import { Redis } from 'ioredis'
import { redisProblem } from '../../scripts/service-probes.js'
import { deferCleanup } from './cleanup.js'
import { canConnect, freePort } from './loopback-ports.js'
import { until } from './until.js'

/** The server the tests use. */
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

let availability: Promise<string | null> | undefined

/** Why Redis cannot be used, or null when it answers (asked once per process). */
function availabilityProblem(): Promise<string | null> {
  availability ??= redisProblem(redisUrl, 3_000)
  return availability
}

/**
 * Declares the tests of `declare` when Redis answers at `redisUrl`. Otherwise declares one test in
 * their place that says so: skipped with a message, or failing under CI=true.
 */
export async function withRedis(what: string, declare: () => void): Promise<void> {
  const problem = await availabilityProblem()
  if (problem === null) return declare()
  const message = `Redis does not answer at ${redisUrl} (${problem}): start it (.ci/run does) or set REDIS_URL`
  test(what, (t) => {
    if (process.env.CI === 'true') throw new Error(message)
    console.warn(`\n*** SKIPPED ${what}: ${message} ***\n`)
    t.skip(message)
  })
}

/** A key prefix no other test uses; its keys are deleted from `url` after the test. */
export function testPrefix(t: TestContext, url = redisUrl): string {
  const prefix = `collab-test-${randomBytes(6).toString('hex')}:`
  deferCleanup(t, async () => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null })
    redis.on('error', () => undefined)
    try {
      const keys = await redis.keys(`${prefix}*`)
      if (keys.length > 0) await redis.del(...keys)
    } catch {
      // A test's own redis-server that is gone keeps nothing.
    } finally {
      redis.disconnect()
    }
  })
  return prefix
}

/** A redis-server of the test's own, keeping nothing on disk; stopped after the test. */
export interface OwnRedis {
  readonly url: string
  /** Kills it (SIGKILL): everything in it is gone. */
  kill(): Promise<void>
  /** Starts it again, empty, on the same port. */
  start(): Promise<void>
}

export async function startOwnRedis(t: TestContext): Promise<OwnRedis> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const start = async () => {
    const started = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    )
    child = started
    await until(() => canConnect(port), { what: `redis-server on port ${port}` })
  }
  const kill = async () => {
    const running = child
    child = undefined
    if (!running || running.exitCode !== null) return
    const exited = once(running, 'exit')
    running.kill('SIGKILL')
    await exited
  }
  await start()
  deferCleanup(t, kill)
  return { url: `redis://127.0.0.1:${port}`, kill, start }
}
