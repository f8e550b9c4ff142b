// The figures of the hostile-input hardening issue: each attack from the issue run against one
// server build (its dist/cli.js as a child process), one at a time, with its RSS from
// /proc/<pid>/status, its disk writes from /proc/<pid>/io and its times, printed as one Markdown
// table on stdout (progress goes to stderr). Run it once per build for the before and after
// columns. The attacks live in hostile/, one module each.
// Usage: node --import tsx bench/figures/hostile-figures.ts --cli /work/before/dist/cli.js \
//          [--only flood,awareness] [--size-mib 100,300] > bench/results/hostile-before.md
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
import { amplification } from './hostile/amplification.js'
import { awarenessSpoofing } from './hostile/awareness-spoofing.js'
import { diskFull } from './hostile/disk-full.js'
import { flood } from './hostile/flood.js'
import { formatSeconds, withTimeout } from './hostile/measure.js'
import { nestedMapPoison } from './hostile/nested-maps.js'
import { pendingStructs } from './hostile/pending-structs.js'
import { type Attack, type AttackContext, AttackReport, renderReports } from './hostile/report.js'
import {
  type ServerUnderTest,
  baseServerArgs,
  startServerProcess,
} from './hostile/server-process.js'

/** In the issue's order. */
const attacks: readonly Attack[] = [
  amplification,
  nestedMapPoison,
  flood,
  pendingStructs,
  awarenessSpoofing,
  diskFull,
]

/** Sizes when `--size-mib` is not given: the flood also runs at 300 MiB, to show the growth. */
const defaultSizes: Record<string, number[]> = { amplification: [100], flood: [100, 300] }

function parseSizes(value: string): number[] {
  const sizes = value.split(',').map((part) => Number(part.trim()))
  if (sizes.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new InvalidArgumentError('expected whole MiB counts such as 100 or 100,300.')
  }
  return sizes
}

function parseAttacks(value: string): string[] {
  const ids = value.split(',').map((part) => part.trim())
  const unknown = ids.filter((id) => !attacks.some((attack) => attack.id === id))
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown attack ${unknown.join(', ')}; choose from ${attacks.map((a) => a.id).join(', ')}.`,
    )
  }
  return ids
}

const program = new Command('hostile-figures')
  .description(
    'Runs the hostile-input attacks against one server build and prints the figures as Markdown.',
  )
  .requiredOption(
    '--cli <path>',
    'the server command to attack, e.g. /work/before/dist/cli.js or dist/cli.js',
  )
  .addOption(
    new Option(
      '--only <attacks>',
      `comma-separated attacks to run (${attacks.map((a) => a.id).join(', ')})`,
    ).argParser(parseAttacks),
  )
  .addOption(
    new Option(
      '--size-mib <sizes>',
      'document size for the amplification and input size for the flood, comma-separated, each run once (default: 100 for the amplification, 100,300 for the flood)',
    ).argParser(parseSizes),
  )
  .option(
    '--work-dir <dir>',
    'where data directories go (each run makes its own under it)',
    tmpdir(),
  )
  .parse()
const options = program.opts<{
  cli: string
  only?: string[]
  sizeMib?: number[]
  workDir: string
}>()

const progress = (message: string): void => {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`)
}

/** Runs one attack with its own directory and servers; whatever happens, leaves nothing behind. */
async function runAttack(
  attack: Attack,
  sizeMiB: number,
  runDirectory: string,
): Promise<AttackReport> {
  const title = attack.isSized ? `${attack.title} (${sizeMiB} MiB)` : attack.title
  const report = new AttackReport(title)
  const servers: ServerUnderTest[] = []
  const flags = new Set<string>()
  const releases: Array<() => Promise<void> | void> = []
  const context: AttackContext = {
    cli: options.cli,
    report,
    progress: (message) => progress(`${title}: ${message}`),
    directory: async (name) => {
      const directory = join(runDirectory, name)
      await mkdir(directory, { recursive: true })
      return directory
    },
    startServer: async (dataDirectory, args = []) => {
      if (args.length > 0) flags.add(args.join(' '))
      const server = await startServerProcess(options.cli, dataDirectory, args)
      servers.push(server)
      return server
    },
    defer: (release) => releases.push(release),
  }
  progress(`${title}: start`)
  const startedAt = performance.now()
  const deadlineMs = attack.deadlineMs(sizeMiB)
  try {
    await withTimeout(attack.run(context, sizeMiB), deadlineMs, 'the attack')
  } catch (error) {
    report.add('aborted', (error as Error).message)
  }
  report.add('duration of this attack run', formatSeconds(performance.now() - startedAt))
  for (const args of flags) report.note(`Server flags besides the shared ones: \`${args}\`.`)
  report.seal()
  // A timed-out attack may still be running: killing its servers makes its steps fail fast.
  for (const server of servers) await server.kill()
  for (let release = releases.pop(); release; release = releases.pop()) {
    try {
      await release()
    } catch (error) {
      report.note(`cleanup failed: ${(error as Error).message}`)
    }
  }
  progress(`${title}: done in ${formatSeconds(performance.now() - startedAt)}`)
  return report
}

async function main(): Promise<void> {
  const cli = resolve(options.cli)
  const cliSha1 = createHash('sha1').update(readFileSync(cli)).digest('hex')
  const selected = attacks.filter((attack) => !options.only || options.only.includes(attack.id))
  const runDirectory = await mkdtemp(join(options.workDir, 'hostile-figures-'))
  const reports: AttackReport[] = []
  try {
    for (const attack of selected) {
      const sizes = attack.isSized ? (options.sizeMib ?? defaultSizes[attack.id] ?? [100]) : [0]
      for (const sizeMiB of sizes) {
        const runAt = join(runDirectory, `${attack.id}${attack.isSized ? `-${sizeMiB}` : ''}`)
        await mkdir(runAt)
        reports.push(await runAttack(attack, sizeMiB, runAt))
        await rm(runAt, { recursive: true, force: true })
      }
    }
  } finally {
    await rm(runDirectory, { recursive: true, force: true })
  }
  const label = cli.includes('/before/') ? 'before' : 'this build'
  console.log(`# Hostile-input figures: ${options.cli}`)
  console.log('')
  console.log(
    `${new Date().toISOString()}; \`${cli}\` (SHA-1 ${cliSha1}); Node ${process.version}; ` +
      `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM. Every server runs as ` +
      `\`node <cli> --port 0 --host 127.0.0.1 --data <dir> ${baseServerArgs.join(' ')}\` plus the ` +
      'limits an attack raises (in its notes and bench/README.md). RSS is VmRSS, peaks are VmHWM or ' +
      'the highest of 100 ms samples; disk written is write_bytes of /proc/<pid>/io.',
  )
  console.log('')
  console.log(renderReports(reports, label))
}

await main()
process.exit(0)
