// Part 2 of document-figures.ts: many small documents with two named versions each, backed up
// with the operator CLI through a running server (while clients edit some of them) and from the
// stopped data directory, then restored into a new directory and checked against the original.
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { startEditors } from './editors.js'
import {
  formatBytes,
  formatMs,
  jsonBody,
  jsonOf,
  mapConcurrent,
  request,
  summarise,
  table,
  textOf,
} from './http.js'
import { type CommandRun, type ServerProcess, runCommand, startServer } from './processes.js'

/** Options of `backupFigures`. */
export interface BackupOptions {
  cli: string
  /** Where the data directories and backup files go; the caller removes it. */
  workDirectory: string
  documents: number
  concurrency: number
  /** How many of the documents stock y-websocket clients edit during the backup. */
  editedDocuments: number
  /** How many untouched documents are compared after the restore. */
  sampleSize: number
  progress: (message: string) => void
}

/** Part 2's Markdown, and whether every check after the restore passed. */
export interface BackupFigures {
  markdown: string
  isRestoredIntact: boolean
}

interface VersionJson {
  id: string
  name: string | null
  bytes: number
}

const documentName = (index: number): string => `docs/${String(index).padStart(4, '0')}`
const apiPath = (name: string): string => `/api/documents/${encodeURIComponent(name)}`

/** Twenty paragraphs of prose about document `index`; `revision` changes the last one. */
function markdownOf(index: number, revision: string): string {
  const paragraphs = Array.from(
    { length: 20 },
    (_, paragraph) =>
      `Paragraph ${paragraph + 1} of document ${index}: the quick brown fox jumps over the lazy ` +
      `dog, and the minutes of the meeting record what was agreed and who will follow it up.`,
  )
  paragraphs[19] = `The ${revision} revision of document ${index}.`
  return `${paragraphs.join('\n\n')}\n`
}

/** Every document name the server lists under `docs/`, page by page. */
async function listedNames(server: ServerProcess): Promise<string[]> {
  const names: string[] = []
  let cursor: string | null = null
  do {
    const after: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`
    const page: { documents: Array<{ name: string }>; next: string | null } = jsonOf<{
      documents: Array<{ name: string }>
      next: string | null
    }>(await request(`${server.httpUrl}/api/documents?prefix=docs%2F&limit=1000${after}`))
    names.push(...page.documents.map((document) => document.name))
    cursor = page.next ?? null
  } while (cursor !== null)
  return names
}

/** What the checks compare: a document's Markdown, its versions, and its first version's Markdown. */
interface Snapshot {
  markdown: string
  versions: VersionJson[]
  firstVersionMarkdown: string
}

async function snapshotOf(server: ServerProcess, name: string): Promise<Snapshot> {
  const base = `${server.httpUrl}${apiPath(name)}`
  const markdown = textOf(await request(`${base}/content?format=markdown`))
  const { versions } = jsonOf<{ versions: VersionJson[] }>(await request(`${base}/versions`))
  const first = versions.at(-1)
  if (!first) throw new Error(`${name} has no versions`)
  const firstVersionMarkdown = textOf(
    await request(`${base}/versions/${first.id}/content?format=markdown`),
  )
  return { markdown, versions, firstVersionMarkdown }
}

/** A command's one line of output, with the work directory shown as `$TMP`. */
const outputOf = (run: CommandRun, workDirectory: string): string =>
  run.stdout.trim().replaceAll(workDirectory, '$TMP')

const versionKey = (versions: readonly VersionJson[]): string =>
  versions.map((version) => `${version.id}:${version.name}:${version.bytes}`).join(',')

/** Runs part 2 from an empty directory to the checked restore: Markdown. */
export async function backupFigures(options: BackupOptions): Promise<BackupFigures> {
  const { cli, workDirectory, concurrency, progress } = options
  const original = join(workDirectory, 'original')
  const restored = join(workDirectory, 'restored')
  const liveBackup = join(workDirectory, 'live.collabbk')
  const stoppedBackup = join(workDirectory, 'stopped.collabbk')
  const names = Array.from({ length: options.documents }, (_, index) => documentName(index))
  const edited = names.slice(0, options.editedDocuments)
  const untouched = names.slice(options.editedDocuments)
  const step = Math.max(1, Math.floor(untouched.length / options.sampleSize))
  const sample = untouched.filter((_, index) => index % step === 0).slice(0, options.sampleSize)

  const server = await startServer(cli, original)
  progress(
    `creating ${names.length} documents with 2 named versions each, ${concurrency} at a time`,
  )
  const putMs: number[] = []
  const versionMs: number[] = []
  const createdAt = performance.now()
  await mapConcurrent(names, concurrency, async (name, index) => {
    const base = `${server.httpUrl}${apiPath(name)}`
    for (const [revision, status] of [
      ['first', 201],
      ['second', 200],
    ] as const) {
      const put = await request(`${base}/content?format=markdown`, {
        method: 'PUT',
        body: markdownOf(index, revision),
        headers: { 'content-type': 'text/markdown' },
        expect: [status],
      })
      putMs.push(put.ms)
      const version = await request(`${base}/versions`, {
        method: 'POST',
        ...jsonBody({ name: `${revision} draft` }),
        expect: [201],
      })
      versionMs.push(version.ms)
    }
  })
  const createMs = performance.now() - createdAt
  const documentBytes = jsonOf<{ bytes: number }>(
    await request(`${server.httpUrl}${apiPath(names[0]!)}`),
  ).bytes

  progress(`backup --url while ${edited.length} clients edit ${edited.length} documents`)
  const editors = await startEditors(server.wsUrl, edited)
  const editsBefore = editors.edits()
  let live
  let editsDuring
  try {
    live = await runCommand(cli, ['backup', '--out', liveBackup, '--url', server.httpUrl])
    editsDuring = editors.edits() - editsBefore
  } finally {
    editors.stop()
  }
  const before = new Map<string, Snapshot>()
  for (const name of sample) before.set(name, await snapshotOf(server, name))
  const stopped = await server.stop()

  progress('backup --data of the stopped directory; restore-backup into a new one')
  const offline = await runCommand(cli, ['backup', '--out', stoppedBackup, '--data', original])
  const restore = await runCommand(cli, ['restore-backup', liveBackup, '--data', restored])
  const startup = await runCommand(cli, ['--version'])

  progress('checking the restored directory')
  const check = await startServer(cli, restored)
  let restoredNames: string[]
  let versionsMatch = 0
  let contentMatches = 0
  let firstVersionMatches = 0
  let editedBack = 0
  try {
    restoredNames = await listedNames(check)
    for (const name of sample) {
      const was = before.get(name)!
      const now = await snapshotOf(check, name)
      if (now.versions.length === 2 && versionKey(now.versions) === versionKey(was.versions)) {
        versionsMatch += 1
      }
      if (now.markdown === was.markdown) contentMatches += 1
      if (now.firstVersionMarkdown === was.firstVersionMarkdown) firstVersionMatches += 1
    }
    for (const name of edited) {
      const { versions } = jsonOf<{ versions: VersionJson[] }>(
        await request(`${check.httpUrl}${apiPath(name)}/versions`),
      )
      if (versions.filter((version) => version.name?.endsWith(' draft')).length === 2) {
        editedBack += 1
      }
    }
  } finally {
    await check.stop()
  }
  const restoredSet = new Set(restoredNames)
  const documentsBack = names.filter((name) => restoredSet.has(name)).length

  const liveBytes = (await stat(liveBackup)).size
  const offlineBytes = (await stat(stoppedBackup)).size
  const put = summarise(putMs)
  const version = summarise(versionMs)
  const n = names.length
  const setup = table(
    ['setup', 'requests', 'wall', 'median ms', 'p95 ms'],
    [
      [
        `${n} documents × (PUT markdown + POST version) × 2, ${concurrency} at a time`,
        String(4 * n),
        `${(createMs / 1000).toFixed(1)} s`,
        '',
        '',
      ],
      [
        'PUT …/content?format=markdown',
        String(put.count),
        '',
        formatMs(put.medianMs),
        formatMs(put.p95Ms),
      ],
      [
        'POST …/versions',
        String(version.count),
        '',
        formatMs(version.medianMs),
        formatMs(version.p95Ms),
      ],
    ],
  )
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`
  const commands = table(
    ['step', 'wall (process start to exit)', 'file', 'note'],
    [
      [
        '`backup --out live.collabbk --url …` (server running)',
        seconds(live.ms),
        formatBytes(liveBytes),
        `${outputOf(live, workDirectory)}; ${editsDuring} edits by ${edited.length} y-websocket clients meanwhile`,
      ],
      ['server SIGTERM → exit', seconds(stopped.ms), '', stopped.exit],
      [
        '`backup --out stopped.collabbk --data original/` (stopped)',
        seconds(offline.ms),
        formatBytes(offlineBytes),
        outputOf(offline, workDirectory),
      ],
      [
        '`restore-backup live.collabbk --data restored/` (new directory)',
        seconds(restore.ms),
        '',
        outputOf(restore, workDirectory),
      ],
      ['`--version` (start-up alone, for reference)', seconds(startup.ms), '', ''],
    ],
  )
  const checks = table(
    ['check on a server started on restored/', 'result'],
    [
      [
        `documents listed under \`docs/\``,
        `${documentsBack} of ${n} (${restoredNames.length} listed)`,
      ],
      [
        `versions (ids, names, bytes) of ${sample.length} untouched documents equal`,
        `${versionsMatch} of ${sample.length}`,
      ],
      [
        `Markdown content of the same ${sample.length} equal`,
        `${contentMatches} of ${sample.length}`,
      ],
      [`Markdown of their first version equal`, `${firstVersionMatches} of ${sample.length}`],
      [`edited documents back with both named versions`, `${editedBack} of ${edited.length}`],
    ],
  )
  const isRestoredIntact =
    documentsBack === n &&
    versionsMatch === sample.length &&
    contentMatches === sample.length &&
    firstVersionMatches === sample.length &&
    editedBack === edited.length
  return {
    markdown: [
      `${n} documents \`docs/0000\` … of 20 Markdown paragraphs each (${formatBytes(documentBytes)} stored), each written twice with a named version after each write. The live backup runs while ${edited.length} stock \`WebsocketProvider\` clients (\`ws\` as WebSocket) each type a character every 50 ms into one of the first ${edited.length} documents. Times include the CLI's process start-up (the \`--version\` row).`,
      setup,
      commands,
      'The backup of the stopped directory holds more versions than the live one: each edited document gained an automatic version when the server stopped.',
      checks,
    ].join('\n\n'),
    isRestoredIntact,
  }
}
