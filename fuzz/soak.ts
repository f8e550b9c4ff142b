// A whole fuzz run: start the server, connect the writers, run the hostile slots and the liveness
// probe, then the end checks, a restart on the same data, and the end checks again.
import { buildTraceCorpus, loadTraceTransactions } from './corpus.js'
import { type HostileSnapshots, checkDocuments, type EndCheckContext } from './end-checks.js'
import type { FuzzLimits } from './expectation.js'
import { watchForCrash } from './crash-watch.js'
import { type InFlightBurst, runHostileSlots } from './hostile-slots.js'
import { startLivenessProbe } from './liveness-probe.js'
import { RecentUpdates } from './recent-updates.js'
import { Random, mixSeed } from './random.js'
import { FuzzReport } from './report.js'
import { type ServerLaunch, ServerProcess } from './server-process.js'
import { WellBehavedClients, writerIdentities, writerRoomName } from './well-behaved-clients.js'

/** The limits the server runs with; lower than the defaults so that frames cross them cheaply. */
export const fuzzLimits: FuzzLimits = {
  maxFrameBytes: 1024 * 1024,
  maxAwarenessBytes: 64 * 1024,
  maxDocumentBytes: 512 * 1024,
  maxPendingBytes: 64 * 1024,
  maxNestingDepth: 100,
  maxAwarenessClientsPerConnection: 4,
}

/** A run's parameters. */
export interface SoakOptions {
  readonly frames: number
  readonly seed: number
  /** Hostile connections open at once. */
  readonly connections: number
  /** Documents only hostile connections write to. */
  readonly documents: number
  /** Documents of the well-behaved writers (two each); hostile connections aim at them too. */
  readonly writerDocuments: number
  /** How long any answer, close or load may take before it counts as a hang. */
  readonly deadlineMs: number
  readonly probeIntervalMs: number
  /** How to start the server (the soak adds the limits); `dataDirectory` must be empty. */
  readonly server: Omit<ServerLaunch, 'limits' | 'unloadGraceMs'>
  /** The command that replays this run, for the report. */
  readonly replayCommand: string
  /** Progress lines while the soak runs. */
  readonly log?: (line: string) => void
}

const corpusTransactions = 2_000
const unloadGraceMs = 1_000
const progressIntervalMs = 5_000

/** Trace transactions each writer replays: about one per hundred frames, within bounds. */
function writerTransactions(frames: number): number {
  return Math.min(10_000, Math.max(20, Math.round(frames / 100)))
}

const hostileRoomName = (index: number): string => `fuzz-hostile-${index}`

/** The documents of a run. */
interface RunRooms {
  readonly writerRooms: readonly string[]
  readonly hostileRooms: readonly string[]
}

/** Runs the fuzz soak and returns its report; `report.isClean` says whether every oracle held. */
export async function runSoak(options: SoakOptions): Promise<FuzzReport> {
  const report = new FuzzReport(options.replayCommand)
  const perWriter = writerTransactions(options.frames)
  const transactions = loadTraceTransactions(Math.max(corpusTransactions, perWriter))
  const corpus = buildTraceCorpus(transactions.slice(0, corpusTransactions))
  const launch: ServerLaunch = { ...options.server, limits: fuzzLimits, unloadGraceMs }
  const rooms: RunRooms = {
    writerRooms: Array.from({ length: options.writerDocuments }, (_, i) => writerRoomName(i)),
    hostileRooms: Array.from({ length: options.documents }, (_, i) => hostileRoomName(i)),
  }
  const identities = writerIdentities(options.writerDocuments)
  const writerTargets = rooms.writerRooms.map((room) => ({
    room,
    writerIds: identities.filter((w) => w.room === room).map((w) => w.clientId),
  }))

  const server = await ServerProcess.start(launch)
  const inFlight = new Map<number, InFlightBurst>()
  const crash = watchForCrash(server, report, inFlight)
  const recentUpdates = new RecentUpdates()
  let clients: WellBehavedClients | undefined
  let snapshots: HostileSnapshots | undefined
  try {
    clients = await WellBehavedClients.connect(
      server.url,
      options.writerDocuments,
      rooms.hostileRooms,
      transactions.slice(0, perWriter),
      options.deadlineMs,
      (room, update, error) =>
        report.addFailure(recentUpdates.unappliedFailure(room, update, error)),
    )
    const connected = clients
    await measureSoak(report, server, options.log, () =>
      withLivenessProbe(options, report, server.url, rooms, () =>
        runHostileSlots(
          {
            url: server.url,
            seed: options.seed,
            frames: options.frames,
            connections: options.connections,
            deadlineMs: options.deadlineMs,
            targets: { hostileRooms: rooms.hostileRooms, writerRooms: writerTargets },
            plan: { corpus, limits: fuzzLimits },
            report,
            recentUpdates,
            isAborted: crash.hasCrashed,
            onProgress: () => connected.advance(report.frames / options.frames),
          },
          inFlight,
        ),
      ),
    )
    if (!crash.hasCrashed())
      snapshots = await checkLive(options, report, server.url, rooms, clients)
  } finally {
    crash.stopWatching()
    report.serverPeakRssBytes = server.peakRssBytes
    report.serverEndRssBytes = server.lastRssBytes
    await clients?.leave(options.deadlineMs)
    await stopServer(server, options, report, 'the soak', !crash.hasCrashed())
  }
  const restarted = await ServerProcess.start(launch)
  try {
    const context = endCheckContext(options, report, restarted.url, rooms, 'after a restart')
    await checkDocuments(
      { ...context, clients: crash.hasCrashed() ? undefined : clients },
      false,
      snapshots,
    )
  } finally {
    await stopServer(restarted, options, report, 'the restart', true)
  }
  return report
}

/** Runs `soak`, measuring its duration and CPU and logging progress meanwhile. */
async function measureSoak(
  report: FuzzReport,
  server: ServerProcess,
  log: ((line: string) => void) | undefined,
  soak: () => Promise<void>,
): Promise<void> {
  const startedAtMs = performance.now()
  const serverCpuAtStart = server.cpuSeconds
  const fuzzerCpuAtStart = process.cpuUsage()
  const sampleFuzzer = (): void => {
    report.fuzzerPeakRssBytes = Math.max(report.fuzzerPeakRssBytes, process.memoryUsage.rss())
  }
  const progress = setInterval(() => {
    sampleFuzzer()
    const perSecond = Math.round((report.frames * 1000) / (performance.now() - startedAtMs))
    log?.(
      `${report.frames.toLocaleString('en-US')} frames, ${perSecond}/s, ${report.failures.length} failures, ` +
        `RSS server ${Math.round(server.lastRssBytes / 2 ** 20)} MiB, ` +
        `fuzzer ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MiB`,
    )
  }, progressIntervalMs)
  try {
    await soak()
  } finally {
    clearInterval(progress)
  }
  sampleFuzzer()
  report.soakMs = performance.now() - startedAtMs
  report.serverCpuSeconds = server.cpuSeconds - serverCpuAtStart
  const fuzzerCpu = process.cpuUsage(fuzzerCpuAtStart)
  report.fuzzerCpuSeconds = (fuzzerCpu.user + fuzzerCpu.system) / 1e6
}

/** Runs `soak` while the liveness probe loads a document every interval. */
async function withLivenessProbe(
  options: SoakOptions,
  report: FuzzReport,
  url: string,
  rooms: RunRooms,
  soak: () => Promise<void>,
): Promise<void> {
  const probe = startLivenessProbe({
    url,
    rooms: [...rooms.writerRooms, ...rooms.hostileRooms],
    intervalMs: options.probeIntervalMs,
    deadlineMs: options.deadlineMs,
    random: new Random(mixSeed(options.seed, 0x9e0be)),
    report,
  })
  try {
    await soak()
  } finally {
    await probe.stop()
  }
}

// The writers catch up and converge, then every document is checked while the writers and
// bystanders are still connected.
async function checkLive(
  options: SoakOptions,
  report: FuzzReport,
  url: string,
  rooms: RunRooms,
  clients: WellBehavedClients,
): Promise<HostileSnapshots> {
  clients.advance(1)
  try {
    await clients.converge(options.deadlineMs)
  } catch (error) {
    report.addFailure({ kind: 'writers diverged', detail: (error as Error).message })
  }
  for (const client of clients.all) {
    const role = client.identity.writes ? 'writer' : 'bystander'
    for (const problem of client.problems) {
      report.addFailure({
        kind: `${role} disturbed`,
        room: client.identity.room,
        detail: `${role} ${client.identity.clientId}: ${problem}`,
      })
    }
  }
  const context = endCheckContext(options, report, url, rooms, 'after the soak')
  return checkDocuments({ ...context, clients }, true)
}

/** SIGTERM: the server must write everything and exit 0 (unless it already crashed). */
async function stopServer(
  server: ServerProcess,
  options: SoakOptions,
  report: FuzzReport,
  after: string,
  mustExitCleanly: boolean,
): Promise<void> {
  const code = await server.stop(options.deadlineMs + 10_000)
  if (mustExitCleanly && code !== 0) {
    report.addFailure({
      kind: 'unclean shutdown',
      detail: `after ${after}: the server exited with ${code}`,
    })
  }
  report.addServerErrorLogs(server.errorLogs, server.errorSamples)
}

function endCheckContext(
  options: SoakOptions,
  report: FuzzReport,
  url: string,
  rooms: RunRooms,
  when: string,
): EndCheckContext {
  return { url, deadlineMs: options.deadlineMs, report, ...rooms, when }
}
