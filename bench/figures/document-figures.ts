// The figures of the documents issue, against the real server command as a child process: the
// version routes on the editing trace (list, fetch in three formats, restore), and backup and
// restore of many documents with the operator CLI. Writes bench/results/documents.md.
// Usage: node --import tsx bench/figures/document-figures.ts [--cli cli/main.ts | dist/cli.js]
//          [--documents 1000] [--repetitions 20] [--slices 20] [--out bench/results/documents.md]
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { backupFigures } from './documents/backup-restore.js'
import { killAll, nodeArgs, startServer } from './documents/processes.js'
import { traceVersionFigures } from './documents/trace-versions.js'

const { values: options } = parseArgs({
  options: {
    cli: { type: 'string', default: 'cli/main.ts' },
    documents: { type: 'string', default: '1000' },
    repetitions: { type: 'string', default: '20' },
    slices: { type: 'string', default: '20' },
    out: { type: 'string', default: 'bench/results/documents.md' },
  },
})
const counts = {
  documents: Number(options.documents),
  repetitions: Number(options.repetitions),
  slices: Number(options.slices),
}
for (const [flag, value] of Object.entries(counts)) {
  if (!Number.isInteger(value) || value < 2) throw new Error(`--${flag} takes a whole number ≥ 2`)
}

const startedAt = performance.now()
// Other work on the machine skews the figures; the load when the run began says how much.
const loadAtStart = loadavg()[0]!.toFixed(2)
const progress = (message: string): void => {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(0).padStart(4)
  process.stderr.write(`[${seconds} s] ${message}\n`)
}

/** The machine note: cores as `nproc` counts them, the CPU, memory, Node, the load. */
function machine(): string {
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim()
  const model = cpus()[0]?.model ?? 'unknown CPU'
  const memory = `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`
  return `\`nproc\` ${nproc} (${model}), ${memory} memory, Node ${process.version}, ${process.platform}; 1-minute load average ${loadAtStart} when the run began`
}

const command = `node ${nodeArgs(options.cli).join(' ')}`
const workDirectory = await mkdtemp(join(tmpdir(), 'document-figures-'))
let report: string
let isRestoredIntact: boolean
try {
  const server = await startServer(options.cli, join(workDirectory, 'trace'))
  const trace = await traceVersionFigures(server, { ...counts, progress })
  await server.stop()
  const backup = await backupFigures({
    cli: options.cli,
    workDirectory,
    documents: counts.documents,
    concurrency: 16,
    editedDocuments: 10,
    sampleSize: 10,
    progress,
  })
  isRestoredIntact = backup.isRestoredIntact
  report = [
    '# Document figures',
    `Machine: ${machine()}. Written by \`node --import tsx bench/figures/document-figures.ts${options.cli === 'cli/main.ts' ? '' : ` --cli ${options.cli}`}\` in ${((performance.now() - startedAt) / 1000).toFixed(0)} s, ${new Date().toISOString().slice(0, 10)}.`,
    `Each server is \`${command} --port <free> --host 127.0.0.1 --data <tmp> --log-level warn\` (default limits), a fresh data directory per part, on loopback; requests come from the same machine, with Node's \`fetch\`.`,
    '## 1. Versions of the editing trace',
    trace,
    `## 2. Backup and restore of ${counts.documents.toLocaleString('en')} documents`,
    backup.markdown,
    '## Commands',
    [
      '```sh',
      `node --import tsx bench/figures/document-figures.ts   # writes this file (--cli dist/cli.js for the built server)`,
      `${command} --port $PORT --host 127.0.0.1 --data $TMP/trace --log-level warn`,
      `${command} backup --out $TMP/live.collabbk --url http://127.0.0.1:$PORT`,
      `${command} backup --out $TMP/stopped.collabbk --data $TMP/original`,
      `${command} restore-backup $TMP/live.collabbk --data $TMP/restored`,
      '```',
    ].join('\n'),
  ].join('\n\n')
} finally {
  await killAll()
  await rm(workDirectory, { recursive: true, force: true })
}
await mkdir(dirname(options.out), { recursive: true })
await writeFile(options.out, `${report}\n`)
console.log(report)
progress(`wrote ${options.out}`)
if (!isRestoredIntact) {
  console.error('the restored documents differ from the originals: see the checks table')
  process.exitCode = 1
}
