// `npm run fuzz`: the seeded fuzz soak against the built server (dist/cli.js) as a child process.
// Prints the seed first, so that a failing run can be replayed; exits 1 if any oracle failed.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command, InvalidArgumentError, Option } from 'commander'
import { runSoak } from './soak.js'

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url))

function parseCount(value: string): number {
  const count = Number(value.replaceAll('_', ''))
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new InvalidArgumentError('expected a whole number of at least 1.')
  }
  return count
}

function parseSeed(value: string): number {
  const seed = Number(value)
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InvalidArgumentError('expected a whole number from 0 to 4294967295.')
  }
  return seed
}

const program = new Command('fuzz')
  .description('Seeded fuzz soak of the collaboration server (see README.md, Fuzzing).')
  .addOption(
    new Option('--frames <count>', 'hostile frames to send')
      .default(1_000_000)
      .argParser(parseCount),
  )
  .addOption(
    new Option('--seed <number>', 'seed of every frame sent (default: a random one)').argParser(
      parseSeed,
    ),
  )
  .addOption(
    new Option('--connections <count>', 'hostile connections at once')
      .default(16)
      .argParser(parseCount),
  )
  .addOption(
    new Option('--documents <count>', 'documents only hostile connections write')
      .default(32)
      .argParser(parseCount),
  )
  .addOption(
    new Option('--writer-documents <count>', 'documents of the well-behaved writers (two each)')
      .default(2)
      .argParser(parseCount),
  )
  .addOption(
    new Option('--deadline-ms <ms>', 'longest wait for an answer before it is a hang')
      .default(10_000)
      .argParser(parseCount),
  )
  .addOption(
    new Option('--probe-interval-ms <ms>', 'how often the liveness probe loads a document')
      .default(1_000)
      .argParser(parseCount),
  )
  .addOption(
    new Option('--keep-data', 'keep the data directory (it is kept anyway when a check fails)'),
  )
  .parse()

const flags = program.opts<{
  frames: number
  seed?: number
  connections: number
  documents: number
  writerDocuments: number
  deadlineMs: number
  probeIntervalMs: number
  keepData?: boolean
}>()
const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 32)
const replayCommand =
  `npm run fuzz -- --seed ${seed} --frames ${flags.frames} --connections ${flags.connections} ` +
  `--documents ${flags.documents} --writer-documents ${flags.writerDocuments}`
console.log(`fuzz: seed ${seed}`)

const dataDirectory = await mkdtemp(join(tmpdir(), 'collab-fuzz-'))
const report = await runSoak({
  frames: flags.frames,
  seed,
  connections: flags.connections,
  documents: flags.documents,
  writerDocuments: flags.writerDocuments,
  deadlineMs: flags.deadlineMs,
  probeIntervalMs: flags.probeIntervalMs,
  server: { entry: ['dist/cli.js'], cwd: repositoryRoot, dataDirectory },
  replayCommand,
  log: (line) => console.log(`fuzz: ${line}`),
})
console.log(report.format())
if (report.isClean && !flags.keepData) {
  await rm(dataDirectory, { recursive: true, force: true })
} else {
  console.log(`data directory kept: ${dataDirectory}`)
}
console.log(report.isClean ? 'fuzz: every oracle held' : 'fuzz: FAILED')
process.exitCode = report.isClean ? 0 : 1
