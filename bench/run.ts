// `npm run bench`: runs the scenarios against each server in its own process, interleaving the
// servers and rotating their order per repetition, and writes the results under bench/results/.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, release, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { buildChildScripts } from './child-scripts.js'
import { LoadGenerator } from './load-generator.js'
import { waitForQuiet } from './machine-load.js'
import { ensurePeersInstalled, ensureSqliteBinary, peerVersions } from './peers.js'
import { parseSizes, planVariants } from './plan.js'
import type { Variant } from './plan.js'
import { writeResults } from './report.js'
import type { MeasurementRecord } from './report.js'
import { defaultServerKinds, isOurs, scenarioNames, serverKinds } from './scenarios/types.js'
import type { Measurement, ScenarioName, ServerKind, Span } from './scenarios/types.js'
import type { ProfileWindow } from './profile-window.js'
import { startServer } from './servers.js'
import type { RunningServer, StartOptions } from './servers.js'

const usage = `usage: npm run bench -- [options]
  --quick               small sizes, finishes in under 2 minutes
  --scenarios a,b       ${scenarioNames.join(', ')} (default: all)
  --servers a,b         ${serverKinds.join(', ')}
                        (default: ${defaultServerKinds.join(', ')})
  --reps N              repetitions per measurement (default 3, at least 1)
  --sizes k=v,k=v1/v2   override scenario parameters, e.g. receivers=10/50,durationMs=3000
  --max-retakes N       retakes of a measurement taken on a busy machine (default 1, quick 0)
  --profile DIR         run ours and its variants under --cpu-prof (and take heap snapshots at
                        the memory scenarios' peaks) into DIR; results go to DIR too, not
                        bench/results/
  --help`

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenarios: { type: 'string' },
    servers: { type: 'string' },
    reps: { type: 'string', default: '3' },
    sizes: { type: 'string' },
    'max-retakes': { type: 'string' },
    profile: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
})

function pick<T extends string>(
  text: string | undefined,
  all: readonly T[],
  defaults: readonly T[],
  flag: string,
): T[] {
  if (!text) return [...defaults]
  const picked = text.split(',').map((name) => name.trim())
  const unknown = picked.filter((name) => !(all as readonly string[]).includes(name))
  if (unknown.length > 0)
    throw new RangeError(`${flag}: unknown ${unknown.join(', ')}; known: ${all.join(', ')}`)
  return picked as T[]
}

function version(pkg: string): string {
  const json = JSON.parse(readFileSync(join('node_modules', pkg, 'package.json'), 'utf8')) as {
    version: string
  }
  return json.version
}

function machine(): RunInfo['machine'] {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
  }
}

type RunInfo = Parameters<typeof writeResults>[1]

/**
 * Notes where a measurement window lies in the CPU profile of server process `pid`, as ms after
 * the process started, in DIR/windows.json (read by bench/profile-summary.ts).
 */
function recordProfileWindow(dir: string, server: RunningServer, span: Span): void {
  const path = join(dir, 'windows.json')
  const windows = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as ProfileWindow[])
    : []
  windows.push({
    pid: server.info.pid,
    fromMs: span.fromEpochMs - server.spawnedAtEpochMs,
    toMs: span.toEpochMs - server.spawnedAtEpochMs,
  })
  writeFileSync(path, JSON.stringify(windows, null, 2))
}

/** Starts a server, runs one task against it (restarting it on request), stops it. */
async function measureOnce(
  generator: LoadGenerator,
  variant: Variant,
  kind: ServerKind,
  startOptions: Omit<StartOptions, 'dataDir'>,
  profileDir: string | undefined,
): Promise<Measurement> {
  const dataDir = mkdtempSync(join(tmpdir(), `collab-bench-${kind}-`))
  let server: RunningServer = await startServer(kind, { ...startOptions, dataDir })
  try {
    const measurement = await generator.run(
      {
        scenario: variant.scenario,
        params: variant.params,
        server: server.info,
        profileDir: profileDir ?? null,
      },
      async () => {
        await server.stop()
        server = await startServer(kind, { ...startOptions, dataDir })
        return server.info
      },
    )
    if (profileDir && isOurs(kind)) recordProfileWindow(profileDir, server, measurement.span)
    const figures = { ...measurement.figures, ...server.opsFigures(measurement.span) }
    return { ...measurement, figures }
  } finally {
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  if (values.help) {
    console.log(usage)
    return
  }
  const scenarios = pick<ScenarioName>(
    values.scenarios,
    scenarioNames,
    scenarioNames,
    '--scenarios',
  )
  const servers = pick<ServerKind>(values.servers, serverKinds, defaultServerKinds, '--servers')
  const reps = Math.max(1, Number(values.reps))
  const isQuick = values.quick ?? false
  // A quick run keeps its time bound: no retakes, no waiting; busy measurements stay flagged.
  const maxRetakes = Math.max(0, Number(values['max-retakes'] ?? (isQuick ? 0 : 1)))
  // Before each measurement, wait this long at most for other processes to quiet down.
  const quietWaitMs = isQuick ? 0 : 5000
  const overrides = parseSizes(values.sizes)
  const profileDir = values.profile
  const args = process.argv.slice(2)
  const command = args.length > 0 ? `npm run bench -- ${args.join(' ')}` : 'npm run bench'
  const startedAt = new Date().toISOString()

  if (profileDir) mkdirSync(profileDir, { recursive: true })
  ensurePeersInstalled()
  if (servers.includes('hocuspocus')) ensureSqliteBinary()
  const scripts = await buildChildScripts()
  const startOptions = {
    shouldInspectOurs: profileDir !== undefined,
    launchers: { ours: scripts.ours, relay: scripts.relay },
    oursNodeFlags: profileDir
      ? [
          '--cpu-prof',
          '--cpu-prof-dir',
          profileDir,
          '--heapsnapshot-signal=SIGUSR2',
          '--diagnostic-dir',
          profileDir,
        ]
      : [],
  }
  let generator = await LoadGenerator.start(scripts.load)
  const records: MeasurementRecord[] = []

  for (const scenario of scenarios) {
    const variants = planVariants(scenario, isQuick, overrides)
    for (let rep = 0; rep < reps; rep++) {
      const order = servers.map((_, i) => servers[(i + rep) % servers.length] as ServerKind)
      for (const variant of variants) {
        for (const kind of order) {
          // The raw relay stores nothing, so there is nothing for it to load.
          if (scenario === 'cold-load' && kind === 'relay') continue
          const started = performance.now()
          const record: MeasurementRecord = {
            scenario,
            variant: variant.label,
            params: variant.params,
            server: kind,
            rep,
            figures: {},
            load: null,
            retakes: 0,
          }
          for (let attempt = 0; attempt <= maxRetakes; attempt++) {
            try {
              if (quietWaitMs > 0) await waitForQuiet([generator.pid], quietWaitMs)
              const measurement = await measureOnce(
                generator,
                variant,
                kind,
                startOptions,
                profileDir,
              )
              Object.assign(record, {
                figures: measurement.figures,
                load: measurement.load,
                retakes: attempt,
              })
              delete record.error
              if (!measurement.load.isBusy || attempt === maxRetakes) break
              console.log(
                `  busy machine (${measurement.load.otherCores.toFixed(2)} cores); retaking`,
              )
            } catch (error) {
              record.error = error instanceof Error ? error.message : String(error)
              console.error(`  ${scenario} ${variant.label} ${kind}: ${record.error}`)
              if (!generator.isAlive) generator = await LoadGenerator.start(scripts.load)
              break
            }
          }
          records.push(record)
          const shown = Object.entries(record.figures)
            .map(
              ([key, value]) => `${key}=${value === null ? 'n/a' : Number(value.toPrecision(4))}`,
            )
            .join(' ')
          const seconds = ((performance.now() - started) / 1000).toFixed(1)
          console.log(
            `${scenario} [${variant.label}] rep ${rep + 1}/${reps} ${kind} (${seconds} s): ${shown}`,
          )
        }
      }
    }
  }
  generator.close()

  const info: RunInfo = {
    command,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    versions: {
      'collab-server': (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string })
        .version,
      'collab-server dist/*.js sha1': scripts.oursSha1,
      ...peerVersions(),
      yjs: version('yjs'),
      ws: version('ws'),
    },
    options: { quick: isQuick, scenarios, servers, reps, maxRetakes, sizes: values.sizes ?? null },
  }
  const path = writeResults(profileDir ?? 'bench/results', info, records, servers)
  console.log(`results: ${path}`)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130))

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
