// Figures of the cluster mode against the single-node stores: fan-out in one document and many
// small documents with 1, 2 and 3 instances of the server command on one PostgreSQL schema and one
// Redis key prefix (clients spread round-robin over the instances), the single-node LevelDB and
// PostgreSQL stores as baselines; Redis commands and PostgreSQL writes per update; the fan-out rate
// each sustains; and the failover after kill -9 of a document's owner. The clients are the load
// generator's (bench/load/), in this process. Prints Markdown on stdout; progress goes to stderr.
// Not part of npm test.
// Usage: node --import tsx bench/figures/cluster-figures.ts [--clients 50] [--writers 3]
//          [--rate 200] [--rooms 200] [--clients-per-room 3] [--room-rate 400]
//          [--duration-ms 5000] [--ramp 200,400,800,1600,3200] [--ramp-duration-ms 3000]
//          [--failovers 5] [--postgres postgres://postgres@127.0.0.1:5432/test]
//          [--redis redis://127.0.0.1:6379]
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, readdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import pg from 'pg'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { redactPostgresUrl } from '../../persistence/postgres/postgres-url.js'
import { redactRedisUrl } from '../../scale/redis/redis-url.js'
import { createProvider } from '../../test/helpers/client.js'
import { canConnect, freePort } from '../../test/helpers/loopback-ports.js'
import { readCpuMs } from '../../test/helpers/proc-stats.js'
import { until } from '../../test/helpers/until.js'
import { BenchClient, type Target, closeAll } from '../load/client.js'
import { freshRoom } from '../load/context.js'
import {
  until as holdsWithin,
  LatencyRecorder,
  paced,
  serverPeakRssMb,
  settle,
  sleep,
} from '../load/measure.js'
import { watchMachineLoad } from '../machine-load.js'
import { readFirstStructId } from '../protocols.js'
import { baseServerArgs } from './hostile/server-process.js'

const { values: options } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    writers: { type: 'string', default: '3' },
    rate: { type: 'string', default: '200' },
    rooms: { type: 'string', default: '200' },
    'clients-per-room': { type: 'string', default: '3' },
    'room-rate': { type: 'string', default: '400' },
    'duration-ms': { type: 'string', default: '5000' },
    ramp: { type: 'string', default: '200,400,800,1600,3200' },
    'ramp-duration-ms': { type: 'string', default: '3000' },
    failovers: { type: 'string', default: '5' },
    postgres: {
      type: 'string',
      default: process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
})
const clientCount = Number(options.clients)
const writerCount = Number(options.writers)
const fanoutRate = Number(options.rate)
const roomCount = Number(options.rooms)
const clientsPerRoom = Number(options['clients-per-room'])
const roomRate = Number(options['room-rate'])
const durationMs = Number(options['duration-ms'])
const rampRates = options.ramp.split(',').map(Number)
const rampDurationMs = Number(options['ramp-duration-ms'])
const failoverCount = Number(options.failovers)

const host = '127.0.0.1'
const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url))
/** How long after the last send deliveries may still come (as in bench/scenarios/). */
const drainTimeoutMs = 3000
const stopTimeoutMs = 15_000
/** A ramp step is sustained when nearly all arrived, p99 stayed below this and sends kept pace. */
const sustainedP99Ms = 500
const failoverWriteIntervalMs = 10

/** How the server runs: its store, and whether its instances form a cluster on Redis. */
interface Mode {
  readonly name: string
  readonly store: 'leveldb' | 'postgres'
  readonly instances: number
  readonly isCluster: boolean
}

const clusterMode = (instances: number): Mode => ({
  name: `cluster, ${instances} instance${instances === 1 ? '' : 's'}`,
  store: 'postgres',
  instances,
  isCluster: true,
})
const modes: Mode[] = [
  { name: 'LevelDB, single node', store: 'leveldb', instances: 1, isCluster: false },
  { name: 'PostgreSQL, single node', store: 'postgres', instances: 1, isCluster: false },
  clusterMode(1),
  clusterMode(2),
  clusterMode(3),
]

const sql = new pg.Client({ connectionString: options.postgres })
await sql.connect()
const redis = new Redis(options.redis, { maxRetriesPerRequest: 1 })

/** One server process. */
interface Instance {
  readonly name: string
  readonly pid: number
  readonly port: number
  readonly url: string
  readonly target: Target
  readonly child: ChildProcess
  readonly exited: Promise<void>
  hasExited(): boolean
}

/** Starts `node --import tsx cli/main.ts` on a free port with `storeArgs`; resolves once it listens. */
async function startInstance(name: string, storeArgs: readonly string[]): Promise<Instance> {
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'cli/main.ts',
      '--port',
      String(port),
      '--host',
      host,
      ...baseServerArgs,
      '--max-connections',
      '20000',
      ...storeArgs,
    ],
    { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  // The server logs warnings only: they go to stderr, named.
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) =>
      process.stderr.write(`  [${name}] ${line.slice(0, 300)}\n`),
    )
  }
  const killOnExit = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', killOnExit)
  let isExited = false
  const exited = once(child, 'exit').then(() => {
    isExited = true
    process.off('exit', killOnExit)
  })
  await until(
    () => {
      if (isExited) throw new Error(`${name} exited before listening`)
      return canConnect(port)
    },
    { timeoutMs: 30_000, intervalMs: 50, what: `${name} to listen on port ${port}` },
  )
  const url = `ws://${host}:${port}`
  return {
    name,
    pid: child.pid ?? 0,
    port,
    url,
    target: { baseUrl: url, protocol: 'y-websocket', hasServerState: true },
    child,
    exited,
    hasExited: () => isExited,
  }
}

async function stopInstance(instance: Instance): Promise<void> {
  if (instance.hasExited()) return
  instance.child.kill('SIGTERM')
  const timer = setTimeout(() => instance.child.kill('SIGKILL'), stopTimeoutMs)
  await instance.exited
  clearTimeout(timer)
}

/** What the instances of a run wrote to PostgreSQL, read once they had exited. */
interface StoreWrites {
  inserted: number
  updated: number
  deleted: number
  /** Commits in the whole database over the run: every transaction, reads included. */
  commits: number
}

/** The instances of one mode, on a store (and key prefix) of their own. */
interface Deployment {
  readonly mode: Mode
  readonly instances: Instance[]
  /** Stops the instances, reads what they wrote, then drops the schema, keys or directory. */
  stop(): Promise<StoreWrites | null>
}

async function databaseCommits(): Promise<number> {
  const { rows } = await sql.query<{ commits: string }>(
    'SELECT xact_commit AS commits FROM pg_stat_database WHERE datname = current_database()',
  )
  return Number(rows[0]?.commits ?? 0)
}

async function tableWrites(schema: string): Promise<Omit<StoreWrites, 'commits'>> {
  const { rows } = await sql.query<{ inserted: string; updated: string; deleted: string }>(
    `SELECT coalesce(sum(n_tup_ins), 0) AS inserted, coalesce(sum(n_tup_upd), 0) AS updated,
       coalesce(sum(n_tup_del), 0) AS deleted
     FROM pg_stat_user_tables WHERE schemaname = $1`,
    [schema],
  )
  const row = rows[0]
  return {
    inserted: Number(row?.inserted ?? 0),
    updated: Number(row?.updated ?? 0),
    deleted: Number(row?.deleted ?? 0),
  }
}

// PostgreSQL 15 publishes a backend's counters at most once a second, an idle one's up to 10 s
// later, but at once when the backend exits: so they are read after the instances (and their
// connections) are gone, until two readings agree.
async function storeWrites(schema: string, commitsBefore: number): Promise<StoreWrites> {
  let last = ''
  for (let attempt = 0; attempt < 20; attempt++) {
    await sleep(300)
    const tables = JSON.stringify(await tableWrites(schema))
    if (tables === last) break
    last = tables
  }
  const tables = JSON.parse(last) as Omit<StoreWrites, 'commits'>
  return { ...tables, commits: (await databaseCommits()) - commitsBefore }
}

async function deleteKeys(prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length > 0) await redis.del(...keys)
}

let deploymentCount = 0

/** Starts the instances of `mode`, one after the other: the first creates the schema. */
async function deploy(mode: Mode): Promise<Deployment> {
  const tag = `${process.pid}_${++deploymentCount}`
  const schema = `collab_cluster_bench_${tag}`
  const prefix = `collab-cluster-bench-${tag}:`
  const dataDirectory =
    mode.store === 'leveldb' ? await mkdtemp(join(tmpdir(), 'cluster-figures-')) : null
  const commitsBefore = mode.store === 'postgres' ? await databaseCommits() : 0
  const argsOf = (n: number): string[] => {
    if (dataDirectory !== null) return ['--data', dataDirectory]
    const store = ['--postgres', options.postgres, '--postgres-schema', schema]
    if (!mode.isCluster) return store
    return [
      ...store,
      '--redis',
      options.redis,
      '--redis-prefix',
      prefix,
      '--instance-id',
      `instance-${n}`,
    ]
  }
  const instances: Instance[] = []
  const stop = async (): Promise<StoreWrites | null> => {
    await Promise.all(instances.map(stopInstance))
    try {
      return mode.store === 'postgres' ? await storeWrites(schema, commitsBefore) : null
    } finally {
      if (dataDirectory !== null) await rm(dataDirectory, { recursive: true, force: true })
      else await sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      if (mode.isCluster) await deleteKeys(prefix)
    }
  }
  try {
    for (let n = 1; n <= mode.instances; n++) {
      instances.push(await startInstance(`instance-${n}`, argsOf(n)))
    }
  } catch (error) {
    await stop().catch(() => undefined)
    throw error
  }
  return { mode, instances, stop }
}

/** Calls of each Redis command so far (INFO itself left out: the figures' own reading). */
async function redisCalls(): Promise<Map<string, number>> {
  const calls = new Map<string, number>()
  for (const match of (await redis.info('commandstats')).matchAll(
    /^cmdstat_([^:]+):calls=(\d+)/gm,
  )) {
    if (match[1] !== 'info') calls.set(match[1]!, Number(match[2]))
  }
  return calls
}

const sumOf = (values: Iterable<number>): number => {
  let sum = 0
  for (const value of values) sum += value
  return sum
}

const services = ['redis-server', 'postgres'] as const
type Service = (typeof services)[number]

/** CPU time so far of the machine's Redis and PostgreSQL processes (backends too), by pid. */
function serviceCpuMs(): Map<number, { service: Service; cpuMs: number }> {
  const byPid = new Map<number, { service: Service; cpuMs: number }>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const service = services.find(
        (name) => name === readFileSync(`/proc/${entry}/comm`, 'utf8').trim(),
      )
      if (service) byPid.set(Number(entry), { service, cpuMs: readCpuMs(Number(entry)) })
    } catch {
      // The process ended while we looked.
    }
  }
  return byPid
}

/** What a measurement window saw, apart from the clients' figures. */
interface WindowFigures {
  elapsedMs: number
  /** CPU time of the instances, in all and of each. */
  serverCpuMs: number
  instanceCpuMs: number[]
  /** CPU time of Redis and of PostgreSQL (for all their clients; the instances are the most). */
  serviceCpuMs: Record<Service, number>
  /** CPU time of this process: the clients. */
  generatorCpuMs: number
  redisCalls: number
  redisPublishes: number
  /** Cores that processes other than these used, on average. */
  otherCores: number
}

async function openWindow(deployment: Deployment) {
  const pids = deployment.instances.map((instance) => instance.pid)
  const serverStart = pids.map(readCpuMs)
  const serviceStart = serviceCpuMs()
  const callsStart = await redisCalls()
  const generatorStart = process.cpuUsage()
  const machine = watchMachineLoad([...pids, process.pid])
  const startedAt = performance.now()
  return {
    async close(): Promise<WindowFigures> {
      const elapsedMs = performance.now() - startedAt
      const load = machine.stop()
      const instanceCpuMs = pids.map((pid, i) => readCpuMs(pid) - serverStart[i]!)
      const serviceMs = { 'redis-server': 0, postgres: 0 }
      for (const [pid, { service, cpuMs }] of serviceCpuMs()) {
        serviceMs[service] += cpuMs - (serviceStart.get(pid)?.cpuMs ?? 0)
      }
      const generator = process.cpuUsage(generatorStart)
      const calls = await redisCalls()
      const callsIn = (name: string): number => (calls.get(name) ?? 0) - (callsStart.get(name) ?? 0)
      return {
        elapsedMs,
        serverCpuMs: sumOf(instanceCpuMs),
        instanceCpuMs,
        serviceCpuMs: serviceMs,
        generatorCpuMs: (generator.user + generator.system) / 1000,
        redisCalls: sumOf([...calls.keys()].map(callsIn)),
        redisPublishes: callsIn('publish'),
        // The machine's load counts Redis and PostgreSQL as other processes: they are not.
        otherCores: Math.max(0, load.otherCores - sumOf(Object.values(serviceMs)) / elapsedMs),
      }
    },
  }
}

/** Send times of the writers' updates, and their receipts by the other clients. */
class Deliveries {
  readonly latency = new LatencyRecorder()
  readonly #sentAtMs = new Map<string, number>()
  readonly #accepted = new Set<string>()
  lastReceiptMs = 0

  /** Notes the send time of `doc`'s next transaction; call just before making it. */
  willSend(doc: Y.Doc): void {
    this.#sentAtMs.set(`${doc.clientID}:${Y.getState(doc.store, doc.clientID)}`, performance.now())
  }

  /** Receives a client's updates; those of `ownClient`, its own document, are no deliveries. */
  receiver(ownClient?: number): (update: Uint8Array) => void {
    return (update) => {
      const id = readFirstStructId(update)
      if (!id || id.client === ownClient) return
      const key = `${id.client}:${id.clock}`
      const sentAtMs = this.#sentAtMs.get(key)
      if (sentAtMs === undefined) return
      this.lastReceiptMs = performance.now()
      this.latency.record(this.lastReceiptMs - sentAtMs)
      this.#accepted.add(key)
    }
  }

  get delivered(): number {
    return this.latency.count
  }

  /** Updates that reached at least one other client. */
  get accepted(): number {
    return this.#accepted.size
  }
}

/** What one measurement saw. */
interface Measured {
  rate: number
  sent: number
  accepted: number
  delivered: number
  expected: number
  /** How long the sends took (longer than asked when this process fell behind). */
  sendMs: number
  /** From the first send to the last receipt: the time base of the rates. */
  spanMs: number
  latency: ReturnType<LatencyRecorder['summary']>
  window: WindowFigures
  peakRssMb: number[]
  /** Clients opened again after their connection closed before its sync. */
  reopened: number
  /** Links the owners still served once every client had closed; null without a cluster. */
  linksLeft: number | null
}

/** Clients open and synced. */
interface Opened {
  clients: BenchClient[]
  reopened: number
}

const maxOpenAttempts = 10

/**
 * Opens a client for each item, 50 at a time, and waits for their sync. One whose connection
 * closes before its sync is opened again, as a provider would reconnect: in a cluster a forwarded
 * connection sometimes is (the owner's first frame can overtake the link's registration; see
 * bench/results/cluster.md), which bench/load/client.ts's openAll would take as a failure.
 */
async function openClients<T>(
  items: readonly T[],
  open: (item: T) => BenchClient,
): Promise<Opened> {
  let reopened = 0
  const openSynced = async (item: T): Promise<BenchClient> => {
    for (let attempt = 1; ; attempt++) {
      const client = open(item)
      try {
        await client.synced
        return client
      } catch (error) {
        if (attempt === maxOpenAttempts) throw error
        reopened++
      }
    }
  }
  const clients: BenchClient[] = []
  for (let i = 0; i < items.length; i += 50) {
    clients.push(...(await Promise.all(items.slice(i, i + 50).map(openSynced))))
  }
  return { clients, reopened }
}

/** The cluster part of each instance's /healthz. */
async function clusterStatuses(
  instances: Instance[],
): Promise<Array<{ ownedDocuments: number; linksIn: number }>> {
  return Promise.all(
    instances.map(async (instance) => {
      const response = await fetch(`http://${host}:${instance.port}/healthz`)
      const body = (await response.json()) as {
        cluster?: { ownedDocuments: number; linksIn: number }
      }
      return body.cluster ?? { ownedDocuments: 0, linksIn: 0 }
    }),
  )
}

/** Links the owners serve once they stop ending (polled for up to 5 s); null without a cluster. */
async function linksLeft(deployment: Deployment): Promise<number | null> {
  if (!deployment.mode.isCluster) return null
  let last = Number.POSITIVE_INFINITY
  for (let attempt = 0; attempt < 25; attempt++) {
    await sleep(200)
    const links = sumOf((await clusterStatuses(deployment.instances)).map((s) => s.linksIn))
    if (links === 0 || links === last) return links
    last = links
  }
  return last
}

/**
 * Once the instances are quiet, makes an edit `edit(i)` at `rate` for `ms`, each to reach
 * `receiversPerUpdate` of the `opened` clients, waits for the deliveries (at most
 * drainTimeoutMs), then closes the clients.
 */
async function drive(
  deployment: Deployment,
  opened: Opened[],
  deliveries: Deliveries,
  rate: number,
  ms: number,
  receiversPerUpdate: number,
  edit: (i: number) => void,
): Promise<Measured> {
  let sent: number
  let sendMs: number
  let startedAt: number
  let figures: WindowFigures
  try {
    await Promise.all(deployment.instances.map((instance) => settle(instance.pid)))
    const window = await openWindow(deployment)
    startedAt = performance.now()
    sent = await paced(rate, ms, edit)
    sendMs = performance.now() - startedAt
    await holdsWithin(() => deliveries.delivered >= sent * receiversPerUpdate, drainTimeoutMs)
    figures = await window.close()
  } finally {
    await closeAll(opened.flatMap(({ clients }) => clients))
  }
  const expected = sent * receiversPerUpdate
  return {
    rate,
    sent,
    accepted: deliveries.accepted,
    delivered: deliveries.delivered,
    expected,
    sendMs,
    spanMs: Math.max(sendMs, deliveries.lastReceiptMs - startedAt),
    latency: deliveries.latency.summary(),
    window: figures,
    peakRssMb: deployment.instances.map((instance) => serverPeakRssMb(instance.pid)),
    reopened: sumOf(opened.map(({ reopened }) => reopened)),
    linksLeft: await linksLeft(deployment),
  }
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i)

/**
 * One document, `clientCount` clients round-robin over the instances; the first `writerCount`
 * are full clients that take turns writing at `rate` in all, the others light receivers.
 */
async function fanout(deployment: Deployment, rate: number, ms: number): Promise<Measured> {
  const room = freshRoom('cluster-fanout')
  const deliveries = new Deliveries()
  const writers = range(0, writerCount).map(() => new Y.Doc())
  const open = (i: number): BenchClient => {
    const { target } = deployment.instances[i % deployment.instances.length]!
    const doc = writers[i]
    return new BenchClient(target, room, {
      doc,
      onUpdate: deliveries.receiver(doc?.clientID),
    })
  }
  // The first client's instance claims the document: instance 1 owns it.
  const opened = [await openClients([0], open), await openClients(range(1, clientCount), open)]
  return drive(deployment, opened, deliveries, rate, ms, clientCount - 1, (i) => {
    const doc = writers[i % writers.length]!
    const text = doc.getText('text')
    deliveries.willSend(doc)
    text.insert(text.length, `${i % 10}abcdefg`)
  })
}

/**
 * `roomCount` documents with `clientsPerRoom` full clients each; document r's clients are on
 * instances r, r + 1, … (mod the count), and its first connects before the others, so owners
 * spread evenly. The clients take turns making one small edit each, at `rate` in all.
 */
async function manyRooms(deployment: Deployment, rate: number, ms: number): Promise<Measured> {
  const prefix = freshRoom('cluster-rooms')
  const deliveries = new Deliveries()
  const docs = range(0, roomCount).map(() => range(0, clientsPerRoom).map(() => new Y.Doc()))
  const count = deployment.instances.length
  const open = ({ room, member }: { room: number; member: number }): BenchClient => {
    const doc = docs[room]![member]!
    return new BenchClient(
      deployment.instances[(room + member) % count]!.target,
      `${prefix}-${room}`,
      {
        doc,
        onUpdate: deliveries.receiver(doc.clientID),
      },
    )
  }
  const seats = (member: number) => range(0, roomCount).map((room) => ({ room, member }))
  const opened = [
    await openClients(seats(0), open),
    await openClients(range(1, clientsPerRoom).flatMap(seats), open),
  ]
  return drive(deployment, opened, deliveries, rate, ms, clientsPerRoom - 1, (i) => {
    const doc = docs[i % roomCount]![Math.floor(i / roomCount) % clientsPerRoom]!
    deliveries.willSend(doc)
    doc.getText('text').insert(0, 'edit ')
  })
}

/** Why a ramp step was not sustained, or null when it was. */
function unsustained(measured: Measured, ms: number): string | null {
  const problems: string[] = []
  if (measured.delivered < measured.expected * 0.999) {
    const missing = (1 - measured.delivered / measured.expected) * 100
    problems.push(`${missing.toFixed(1)} % not delivered ${drainTimeoutMs / 1000} s after`)
  }
  const p99Ms = measured.latency.p99Ms ?? Number.POSITIVE_INFINITY
  if (p99Ms > sustainedP99Ms) problems.push(`p99 over ${sustainedP99Ms} ms`)
  if (measured.sendMs > ms * 1.05) problems.push('the clients fell behind sending')
  return problems.length === 0 ? null : problems.join('; ')
}

/** The ramp of one mode: its last sustained step and the first that was not. */
interface Ramp {
  mode: Mode
  sustained: Measured | null
  failed: { measured: Measured; why: string } | null
}

async function ramp(mode: Mode): Promise<Ramp> {
  const deployment = await deploy(mode)
  const result: Ramp = { mode, sustained: null, failed: null }
  try {
    for (const rate of rampRates) {
      process.stderr.write(`  ${rate} updates/s…\n`)
      let measured = await fanout(deployment, rate, rampDurationMs)
      let why = unsustained(measured, rampDurationMs)
      if (why !== null) {
        // Other processes on the machine can spoil one step: it is taken again before it counts.
        process.stderr.write(`  ${rate} updates/s again (${why})…\n`)
        measured = await fanout(deployment, rate, rampDurationMs)
        why = unsustained(measured, rampDurationMs)
      }
      if (why !== null) {
        result.failed = { measured, why }
        break
      }
      result.sustained = measured
    }
  } finally {
    await deployment.stop()
  }
  return result
}

/** One scenario on a fresh deployment, with what the store wrote over the whole run. */
async function measureRun(
  mode: Mode,
  scenario: (deployment: Deployment) => Promise<Measured>,
): Promise<{ mode: Mode; measured: Measured; writes: StoreWrites | null }> {
  const deployment = await deploy(mode)
  let measured: Measured
  try {
    measured = await scenario(deployment)
  } catch (error) {
    await deployment.stop().catch(() => undefined)
    throw error
  }
  return { mode, measured, writes: await deployment.stop() }
}

/** Times after the kill, in ms. */
interface Failover {
  observerClosedMs: number | null
  observerSyncedMs: number | null
  firstUpdateMs: number
  newOwner: string
}

/**
 * Three instances; a client on instance 1 (which so owns the document), a writer on instance 2
 * writing its clock every 10 ms, an observer on instance 3; then kill -9 of instance 1.
 */
async function failover(): Promise<Failover> {
  const deployment = await deploy(clusterMode(3))
  const room = freshRoom('cluster-failover')
  const providers: WebsocketProvider[] = []
  const connect = async (n: number): Promise<WebsocketProvider> => {
    const provider = createProvider(deployment.instances[n]!.url, room)
    providers.push(provider)
    await until(() => provider.synced, { timeoutMs: 20_000, what: `a client on instance ${n + 1}` })
    return provider
  }
  let timer: NodeJS.Timeout | undefined
  try {
    const onOwner = await connect(0)
    const [writer, observer] = await Promise.all([connect(1), connect(2)])
    const owned = (await clusterStatuses(deployment.instances)).map((s) => s.ownedDocuments)
    if (owned.join() !== '1,0,0')
      throw new Error(`instance-1 should own the document: ${owned.join()}`)
    const clock = writer.doc.getMap<number>('clock')
    timer = setInterval(() => clock.set('at', performance.now()), failoverWriteIntervalMs)
    const observed = observer.doc.getMap<number>('clock')
    let killedAt = Number.POSITIVE_INFINITY
    let seen = 0
    let firstAt: number | undefined
    let closedAt: number | undefined
    let syncedAt: number | undefined
    observed.observe(() => {
      seen++
      if (firstAt === undefined && (observed.get('at') ?? 0) > killedAt) firstAt = performance.now()
    })
    observer.on('status', ({ status }) => {
      if (status === 'disconnected' && performance.now() > killedAt) closedAt ??= performance.now()
    })
    observer.on('sync', (isSynced) => {
      if (isSynced && closedAt !== undefined) syncedAt ??= performance.now()
    })
    await until(() => seen >= 20, { what: 'the observer to receive 20 updates' })
    // The survivors check their peers once a second: a random moment samples that phase.
    await sleep(Math.random() * 1000)
    killedAt = performance.now()
    deployment.instances[0]!.child.kill('SIGKILL')
    onOwner.destroy()
    await until(() => firstAt !== undefined, {
      timeoutMs: 20_000,
      what: 'an update written after the kill to reach the observer',
    })
    const survivors = deployment.instances.slice(1)
    const ownedAfter = (await clusterStatuses(survivors)).map((s) => s.ownedDocuments)
    const since = (at: number | undefined): number | null =>
      at === undefined ? null : at - killedAt
    return {
      observerClosedMs: since(closedAt),
      observerSyncedMs: since(syncedAt),
      firstUpdateMs: since(firstAt)!,
      newOwner:
        survivors
          .filter((_, i) => ownedAfter[i] === 1)
          .map((instance) => instance.name)
          .join(', ') || 'none',
    }
  } finally {
    clearInterval(timer)
    for (const provider of providers) provider.destroy()
    await deployment.stop()
  }
}

const fixed = (value: number | null | undefined, digits = 1): string =>
  value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits)
const whole = (value: number): string => Math.round(value).toLocaleString('en')
const perSecond = (count: number, ms: number): number => (count * 1000) / ms

/** A row of the throughput table. */
function loadRow({ mode, measured }: { mode: Mode; measured: Measured }): string {
  const { window } = measured
  const cpuPerThousand = (cpuMs: number): string =>
    measured.delivered > 0 ? fixed(cpuMs / measured.delivered, 3) : '—'
  const cells = [
    mode.name,
    `${whole(perSecond(measured.sent, measured.sendMs))} → ${whole(perSecond(measured.accepted, measured.spanMs))}`,
    whole(perSecond(measured.delivered, measured.spanMs)),
    fixed((measured.delivered / measured.expected) * 100, 2),
    fixed(measured.latency.p50Ms, 2),
    fixed(measured.latency.p99Ms, 2),
    window.instanceCpuMs.length === 1
      ? cpuPerThousand(window.serverCpuMs)
      : `${cpuPerThousand(window.serverCpuMs)} (${window.instanceCpuMs.map(cpuPerThousand).join(' + ')})`,
    mode.isCluster ? cpuPerThousand(window.serviceCpuMs['redis-server']) : '—',
    mode.store === 'postgres' ? cpuPerThousand(window.serviceCpuMs.postgres) : '—',
    `${fixed(Math.max(...measured.peakRssMb), 0)} / ${fixed(sumOf(measured.peakRssMb), 0)}`,
    fixed(window.generatorCpuMs / window.elapsedMs, 2),
    fixed(window.otherCores, 2),
    `${whole(measured.reopened)} / ${measured.linksLeft ?? '—'}`,
  ]
  return `| ${cells.join(' | ')} |`
}

const loadHeader = [
  '| setup | updates/s sent → accepted | deliveries/s | delivered % | p50 ms | p99 ms | instances’ CPU s / 1,000 deliveries (instance 1 + 2 + 3) | Redis CPU s / 1,000 | PostgreSQL CPU s / 1,000 | peak RSS MB (largest / all instances) | clients’ cores | other cores | clients reopened / links left |',
  '| ----- | ------------------------: | -----------: | ----------: | -----: | -----: | ----------------------------------------------------------: | ------------------: | -----------------------: | ------------------------------------: | ------------: | ----------: | ----------------------------: |',
]

/** A row of the per-update table. */
function perUpdateRow(
  scenario: string,
  { mode, measured, writes }: { mode: Mode; measured: Measured; writes: StoreWrites | null },
): string {
  const per = (count: number, digits = 2): string => fixed(count / measured.accepted, digits)
  const cells = [
    scenario,
    mode.name,
    whole(measured.accepted),
    mode.isCluster ? per(measured.window.redisCalls) : '—',
    mode.isCluster ? per(measured.window.redisPublishes) : '—',
    writes ? `${per(writes.inserted)} / ${per(writes.updated)} / ${per(writes.deleted)}` : '—',
    writes ? per(writes.commits) : '—',
  ]
  return `| ${cells.join(' | ')} |`
}

function rampRow({ mode, sustained, failed }: Ramp): string {
  const at = ({ accepted, delivered, spanMs, latency, window }: Measured): string => {
    const cores = (ms: number): string => fixed(ms / window.elapsedMs, 2)
    return [
      `${whole(perSecond(accepted, spanMs))} updates/s, ${whole(perSecond(delivered, spanMs))} deliveries/s, p99 ${fixed(latency.p99Ms, 0)} ms`,
      `cores: instances ${cores(window.serverCpuMs)}, Redis ${cores(window.serviceCpuMs['redis-server'])}, PostgreSQL ${cores(window.serviceCpuMs.postgres)}, clients ${cores(window.generatorCpuMs)}, others ${fixed(window.otherCores, 2)}`,
    ].join('; ')
  }
  const cells = [
    mode.name,
    sustained ? `${failed ? '' : '≥ '}${whole(sustained.rate)}` : `< ${whole(rampRates[0] ?? 0)}`,
    sustained ? at(sustained) : '—',
    failed
      ? `${whole(failed.measured.rate)}: ${at(failed.measured)}; ${failed.why}`
      : 'none: the top step',
  ]
  return `| ${cells.join(' | ')} |`
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

// Redis and PostgreSQL serve the whole machine: what others send them while this runs counts too.
const callsBefore = sumOf((await redisCalls()).values())
await sleep(2000)
const backgroundCallsPerSecond = (sumOf((await redisCalls()).values()) - callsBefore) / 2
const loadAtStart = loadavg()[0] ?? 0
const startedAt = performance.now()

const fanouts: Array<Awaited<ReturnType<typeof measureRun>>> = []
const roomRuns: Array<Awaited<ReturnType<typeof measureRun>>> = []
const ramps: Ramp[] = []
for (const mode of modes) {
  process.stderr.write(`${mode.name}: fan-out at ${fanoutRate} updates/s…\n`)
  fanouts.push(await measureRun(mode, (deployment) => fanout(deployment, fanoutRate, durationMs)))
  process.stderr.write(`${mode.name}: ${roomCount} documents at ${roomRate} updates/s…\n`)
  roomRuns.push(await measureRun(mode, (deployment) => manyRooms(deployment, roomRate, durationMs)))
  process.stderr.write(`${mode.name}: fan-out ramp…\n`)
  ramps.push(await ramp(mode))
}
const failovers: Failover[] = []
for (let run = 1; run <= failoverCount; run++) {
  process.stderr.write(`failover ${run} of ${failoverCount}…\n`)
  failovers.push(await failover())
}
await sql.end()
redis.disconnect()

const minutes = (performance.now() - startedAt) / 60_000
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; 1-minute load average ${loadAtStart.toFixed(2)} when the run began, ${(loadavg()[0] ?? 0).toFixed(2)} at its end (${minutes.toFixed(1)} minutes)`
const firstUpdates = failovers.map((run) => run.firstUpdateMs)
console.log(
  [
    '# Cluster figures',
    '',
    `Machine: ${machine}. PostgreSQL ${redactPostgresUrl(options.postgres)} and Redis ${redactRedisUrl(options.redis)} on the same machine; other clients sent Redis ${whole(backgroundCallsPerSecond)} commands/s just before the run. Each row is one run on fresh instances (\`node --import tsx cli/main.ts\`, rate limits off), a fresh schema and key prefix; "cluster, 1 instance" is --postgres with --redis and a single instance.`,
    '',
    'How measured: the clients are the load generator’s (bench/load/client.ts: writers hold a Y.Doc, receivers only read the first struct ID of each update), in this process; client i goes to instance i mod n. In fan-out the first client connects alone, so instance 1 owns the document; in many documents document r’s first client connects to instance r mod n before the others, so owners spread. Latency is from the send (noted under client ID and clock) to each other client’s receipt, on one clock; rates are over the first send to the last receipt. CPU is utime + stime from /proc over the window (sending and draining) of each instance, of redis-server and of every postgres process (they serve anyone on the machine); other cores are the rest of /proc/stat’s busy time. Redis calls are the difference of INFO commandstats over the window (INFO left out; the commands inside Lua scripts count), the instances’ liveness writes and peer checks once a second included. PostgreSQL rows (pg_stat_user_tables of the run’s schema) and commits (pg_stat_database of the whole database, anyone’s) cover the whole run, read once the instances had exited, because PostgreSQL publishes an idle backend’s counters up to 10 s late: they include loading, claiming and compacting each document. Peak RSS is VmHWM. “Clients reopened” closed before their sync and were opened again, as a provider reconnects; “links left” are forwarded connections that the owners still served once every client had closed.',
    '',
    `## Fan-out: one document, ${clientCount} clients, ${writerCount} of them writing ${fanoutRate} updates/s in all, ${durationMs / 1000} s`,
    '',
    ...loadHeader,
    ...fanouts.map(loadRow),
    '',
    `## Many documents: ${roomCount} documents × ${clientsPerRoom} clients, ${roomRate} updates/s in all, ${durationMs / 1000} s`,
    '',
    ...loadHeader,
    ...roomRuns.map(loadRow),
    '',
    '## Redis commands and PostgreSQL writes per accepted update',
    '',
    '| scenario | setup | updates | Redis calls / update | PUBLISH / update | PostgreSQL rows inserted / updated / deleted per update | PostgreSQL commits / update |',
    '| -------- | ----- | ------: | -------------------: | ---------------: | ------------------------------------------------------: | --------------------------: |',
    ...fanouts.map((run) => perUpdateRow('fan-out', run)),
    ...roomRuns.map((run) => perUpdateRow('many documents', run)),
    '',
    `## Fan-out rate sustained (${clientCount} clients, steps of ${rampDurationMs / 1000} s: ${rampRates.join(', ')} updates/s)`,
    '',
    `Sustained: at least 99.9 % delivered within ${drainTimeoutMs / 1000} s of the last send, p99 under ${sustainedP99Ms} ms, and the clients kept pace.`,
    '',
    '| setup | highest sustained, updates/s | there | next step |',
    '| ----- | ---------------------------: | ----- | --------- |',
    ...ramps.map(rampRow),
    '',
    `## Failover: kill -9 of the owner, ${failoverCount} runs`,
    '',
    'A client on instance 1 (the owner), a writer on instance 2 writing every 10 ms, an observer on instance 3. Times in ms from the kill.',
    '',
    '| run | observer’s connection closed | observer synced again | first update written after the kill reaches the observer | new owner |',
    '| --: | ---------------------------: | --------------------: | ------------------------------------------------------: | --------- |',
    ...failovers.map(
      (run, i) =>
        `| ${i + 1} | ${fixed(run.observerClosedMs, 0)} | ${fixed(run.observerSyncedMs, 0)} | ${fixed(run.firstUpdateMs, 0)} | ${run.newOwner} |`,
    ),
    '',
    `Median ${fixed(median(firstUpdates), 0)} ms, max ${fixed(Math.max(...firstUpdates), 0)} ms.`,
    '',
    '`node --import tsx bench/figures/cluster-figures.ts`',
  ].join('\n'),
)
process.exit(0)
