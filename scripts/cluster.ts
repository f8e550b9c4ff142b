// `npm run cluster`: three instances of the built server (dist/cli.js) on one PostgreSQL store and
// one Redis, behind a round-robin proxy (round-robin-proxy.ts), to try the cluster on one machine.
// SIGINT or SIGTERM drains the instances and stops the proxy.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Command, InvalidArgumentError, Option } from 'commander'
import { redactPostgresUrl } from '../persistence/postgres/postgres-url.js'
import { redactRedisUrl } from '../scale/redis/redis-url.js'
import { startRoundRobinProxy } from './round-robin-proxy.js'
import { postgresProblem, redisProblem } from './service-probes.js'

const host = '127.0.0.1'
const repositoryRoot = fileURLToPath(new URL('..', import.meta.url))
const postgresUrl = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const readyTimeoutMs = 30_000
const serviceTimeoutMs = 3_000

function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError('expected a port number from 1 to 65535.')
  }
  return port
}

const program = new Command('cluster')
  .description(
    'Three instances of the server on one PostgreSQL (POSTGRES_URL) and one Redis (REDIS_URL), behind a round-robin proxy.',
  )
  .addOption(new Option('--port <number>', 'port of the proxy').default(4000).argParser(parsePort))
  .addOption(
    new Option(
      '--instance-ports <a,b,c>',
      'ports of the instances (default: the three after --port)',
    ).argParser((value) => value.split(',').map(parsePort)),
  )
  .addOption(new Option('--schema <name>', 'PostgreSQL schema of the documents').default('collab'))
  .addOption(
    new Option('--prefix <prefix>', 'prefix of the Redis keys and channels').default('collab:'),
  )
  .parse()
const options = program.opts<{
  port: number
  instancePorts?: number[]
  schema: string
  prefix: string
}>()
const instancePorts = options.instancePorts ?? [1, 2, 3].map((offset) => options.port + offset)

/** A URL as the commands printed for a person show it: the variable's name when it was set. */
const shown = (variable: string, value: string): string =>
  process.env[variable] === undefined ? value : `"$${variable}"`

/** What to run by hand: the services that do not answer, then the instances. */
function printHowToStart(postgres: string | null, redis: string | null): void {
  if (postgres !== null) {
    console.error(`PostgreSQL does not answer at ${redactPostgresUrl(postgresUrl)} (${postgres}).`)
    console.error('Start it (or set POSTGRES_URL):')
    console.error('  pg_ctlcluster $(ls /etc/postgresql | sort -V | tail -n 1) main start')
  }
  if (redis !== null) {
    const port = new URL(redisUrl).port || '6379'
    console.error(`Redis does not answer at ${redactRedisUrl(redisUrl)} (${redis}).`)
    console.error('Start it (or set REDIS_URL):')
    console.error(
      `  redis-server --daemonize yes --bind 127.0.0.1 --port ${port} --save '' --appendonly no`,
    )
  }
  console.error(
    '\nThen run `npm run cluster` again, or the instances by hand (after npm run build):',
  )
  instancePorts.forEach((port, index) => {
    const flags = [
      ...['--port', String(port), '--host', host],
      ...['--postgres', shown('POSTGRES_URL', postgresUrl), '--postgres-schema', options.schema],
      ...['--redis', shown('REDIS_URL', redisUrl), '--redis-prefix', options.prefix],
      ...['--instance-id', `instance-${index + 1}`],
    ]
    console.error(`  node dist/cli.js ${flags.join(' ')}`)
  })
}

/** One instance of the server, as a child process. */
interface Instance {
  readonly id: string
  readonly port: number
  readonly child: ChildProcess
  /** Resolves with the exit code, or the signal's name. */
  readonly exited: Promise<number | string>
}

function startInstance(id: string, port: number): Instance {
  const args = [
    ...['--port', String(port), '--host', host, '--instance-id', id],
    ...['--postgres-schema', options.schema, '--redis-prefix', options.prefix],
  ]
  const child = spawn(process.execPath, ['dist/cli.js', ...args], {
    cwd: repositoryRoot,
    // The URLs go in the environment, where the process list does not show their passwords.
    env: { ...process.env, POSTGRES_URL: postgresUrl, REDIS_URL: redisUrl },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string)
  return { id, port, child, exited }
}

const hasExited = (instance: Instance): boolean =>
  instance.child.exitCode !== null || instance.child.signalCode !== null

async function isReady(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://${host}:${port}/readyz`, {
      signal: AbortSignal.timeout(1_000),
    })
    await response.body?.cancel()
    return response.ok
  } catch {
    return false
  }
}

/** Resolves once /readyz answers 200; rejects if the instance exits first or the deadline passes. */
async function waitReady(instance: Instance): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs
  for (;;) {
    if (hasExited(instance)) {
      throw new Error(`${instance.id} exited with ${await instance.exited} before it was ready`)
    }
    if (await isReady(instance.port)) return
    if (Date.now() > deadline) {
      throw new Error(`${instance.id} was not ready within ${readyTimeoutMs / 1000} s`)
    }
    await delay(100)
  }
}

async function main(): Promise<void> {
  const [postgres, redis] = await Promise.all([
    postgresProblem(postgresUrl, serviceTimeoutMs),
    redisProblem(redisUrl, serviceTimeoutMs),
  ])
  if (postgres !== null || redis !== null) {
    printHowToStart(postgres, redis)
    process.exitCode = 1
    return
  }

  const proxy = await startRoundRobinProxy(host, options.port, instancePorts).catch(
    (error: NodeJS.ErrnoException) => {
      console.error(
        `cannot listen on port ${options.port}: ${error.code}; choose another with --port`,
      )
      return null
    },
  )
  if (!proxy) {
    process.exitCode = 1
    return
  }

  const instances: Instance[] = []
  let stopping: Promise<void> | undefined
  const stop = (exitCode: number): Promise<void> =>
    (stopping ??= (async () => {
      process.exitCode = exitCode
      await proxy.close()
      // SIGTERM: each instance drains, writes its documents and leaves the bus.
      for (const instance of instances) if (!hasExited(instance)) instance.child.kill('SIGTERM')
      await Promise.all(instances.map((instance) => instance.exited))
    })())
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0))

  try {
    // One after the other: the first creates the schema, the others find it.
    for (const [index, port] of instancePorts.entries()) {
      const instance = startInstance(`instance-${index + 1}`, port)
      instances.push(instance)
      await waitReady(instance)
    }
  } catch (error) {
    if (stopping) return
    console.error(`cluster: ${(error as Error).message}; stopping`)
    return stop(1)
  }
  if (stopping) return

  for (const instance of instances) {
    void instance.exited.then((code) => {
      if (!stopping) {
        console.log(
          `${instance.id} (pid ${instance.child.pid}) exited with ${code}; the proxy skips it`,
        )
      }
    })
  }
  const lines = [
    '',
    `Cluster of ${instances.length} instances on PostgreSQL ${redactPostgresUrl(postgresUrl)} (schema ${options.schema}) and Redis ${redactRedisUrl(redisUrl)} (prefix ${options.prefix})`,
    '',
    `  editor      http://${host}:${proxy.port}/   (the proxy: round-robin over the instances)`,
    ...instances.map(
      (instance) =>
        `  ${instance.id.padEnd(10)}  http://${host}:${instance.port}/   pid ${instance.child.pid}`,
    ),
    '',
    'kill one instance (its pid is printed) and keep typing: its documents move to another',
    `(e.g. kill -9 ${instances[0]?.child.pid}). Ctrl-C stops the cluster.`,
    '',
  ]
  console.log(lines.join('\n'))
}

await main()
