// Attack 6, disk full: the data directory on a 20 MiB tmpfs that a writer fills. Figures: how the
// writer is told, how long a connection to a new document waits, what /healthz says, and whether
// the writer recovers, with every acknowledged edit, once space is freed.
import { execFile } from 'node:child_process'
import { mkdir, rm, statfs, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { promisify } from 'node:util'
import * as Y from 'yjs'
import { writeSyncUpdate } from '../../../protocol/message.js'
import { SyncClient, formatClose, formatProbe, probeConnection } from './connection.js'
import { randomText } from './documents.js'
import { ProcessSampler, formatMiB, formatSeconds, formatWritten, waitFor } from './measure.js'
import type { Attack, AttackContext } from './report.js'
import { type ServerUnderTest, readHealth } from './server-process.js'

const run_ = promisify(execFile)
const tmpfsSize = '20m'
const fillerBytes = 5 * 2 ** 20
const editBytes = 256 * 1024
const maxEdits = 400
const answerTimeoutMs = 10_000
const room = 'filling'

/** Sets key `key` of the writer's 'edits' map and returns the change as an update. */
function edit(doc: Y.Doc, key: string): Uint8Array {
  const before = Y.encodeStateVector(doc)
  doc.getMap<string>('edits').set(key, randomText(editBytes))
  return Y.encodeStateAsUpdate(doc, before)
}

/** `14.9 of 20.0 MiB used` */
async function usage(mountPoint: string): Promise<string> {
  const { blocks, bfree, bsize } = await statfs(mountPoint)
  return `${formatMiB((blocks - bfree) * bsize)} of ${formatMiB(blocks * bsize)} used`
}

/** How many of the acknowledged edits a fresh client finds, value for value. */
async function countKept(
  server: ServerUnderTest,
  acknowledged: ReadonlyMap<string, string>,
): Promise<string> {
  let reader: SyncClient
  try {
    reader = await SyncClient.connect(server.url, room)
  } catch (error) {
    return `a fresh client could not connect: ${(error as Error).message}`
  }
  const synced = await waitFor(
    () => reader.isSynced || reader.connection.closeInfo !== undefined,
    20_000,
  )
  const close = reader.connection.closeInfo
  if (!reader.isSynced) {
    return synced && close
      ? `a fresh client was closed ${formatClose(close)}`
      : 'a fresh client got no sync step 2 in 20 s'
  }
  const edits = reader.doc.getMap<string>('edits')
  let kept = 0
  for (const [key, value] of acknowledged) if (edits.get(key) === value) kept++
  await reader.connection.close()
  return `${kept} of ${acknowledged.size} acknowledged edits`
}

async function run(context: AttackContext): Promise<void> {
  const { report, progress } = context
  const mountPoint = await context.directory('disk-full-tmpfs')
  try {
    await run_('mount', ['-t', 'tmpfs', '-o', `size=${tmpfsSize}`, 'tmpfs', mountPoint], {
      timeout: 10_000,
    })
  } catch (error) {
    report.add('skipped', `cannot mount a tmpfs: ${(error as Error).message.split('\n')[0] ?? ''}`)
    return
  }
  context.defer(async () => {
    await run_('umount', [mountPoint], { timeout: 10_000 }).catch(() =>
      run_('umount', ['-l', mountPoint]),
    )
  })
  const filler = join(mountPoint, 'filler')
  await writeFile(filler, Buffer.alloc(fillerBytes, 1))
  const dataDirectory = join(mountPoint, 'data')
  await mkdir(dataDirectory)
  let server = await context.startServer(dataDirectory, ['--max-document-bytes', '1GiB'])
  const sampler = await ProcessSampler.start(server.pid, dataDirectory)

  progress('filling the 20 MiB tmpfs')
  const observer = await SyncClient.connect(server.url, room)
  const writerDoc = new Y.Doc()
  let writer = await SyncClient.connect(server.url, room, writerDoc)
  await waitFor(() => observer.isSynced && writer.isSynced, answerTimeoutMs)
  const acknowledged = new Map<string, string>()
  const observed = observer.doc.getMap<string>('edits')
  const startedAt = performance.now()
  let outcome = `${maxEdits} edits taken without a failure`
  for (let i = 0; i < maxEdits; i++) {
    const key = `e${i}`
    await writer.connection.send(writeSyncUpdate(edit(writerDoc, key))).catch(() => undefined)
    await waitFor(() => observed.has(key) || !writer.connection.isOpen, answerTimeoutMs)
    if (observed.has(key)) {
      acknowledged.set(key, observed.get(key)!)
      continue
    }
    const close = writer.connection.closeInfo
    outcome = close
      ? `closed ${formatClose(close)} after ${formatSeconds(performance.now() - startedAt)}`
      : `edit ${i + 1} neither relayed nor refused in ${formatSeconds(answerTimeoutMs)}`
    break
  }
  report.add('the writer, when the disk fills', outcome, 'closed 1011')
  report.add(
    'edits acknowledged (relayed) before',
    `${acknowledged.size} × ${editBytes / 1024} KiB`,
  )
  report.add('tmpfs then', await usage(mountPoint))

  progress('probing a new document and /healthz while the disk is full')
  const [probe, health] = await Promise.all([
    probeConnection(server.url, 'new-document', answerTimeoutMs),
    readHealth(server.httpUrl, answerTimeoutMs),
  ])
  report.add(
    'a connection to a new document, disk full',
    formatProbe(probe, answerTimeoutMs),
    'an answer at once (an HTTP status or a sync)',
  )
  report.add(
    'GET /healthz meanwhile',
    'status' in health
      ? `HTTP ${health.status} after ${formatSeconds(health.ms)}: ${health.body.slice(0, 200)}`
      : health.failure,
  )
  report.add(
    'server process',
    server.isAlive() ? 'alive' : `died: ${server.exitDescription() ?? ''}`,
  )
  if (!server.isAlive()) return

  progress('freeing space; does the writer recover?')
  await rm(filler)
  await delay(2_000)
  report.add('tmpfs 2 s after the filler was deleted', await usage(mountPoint))
  await writer.connection.close()
  const recoveryStartedAt = performance.now()
  let recovery: string
  try {
    writer = await SyncClient.connect(server.url, room, writerDoc)
    const reader = await SyncClient.connect(server.url, room)
    await waitFor(() => writer.isSynced && reader.isSynced, answerTimeoutMs)
    const key = 'after-recovery'
    await writer.connection.send(writeSyncUpdate(edit(writerDoc, key)))
    const isRelayed = await waitFor(
      () => reader.doc.getMap('edits').has(key) || !writer.connection.isOpen,
      15_000,
    )
    const close = writer.connection.closeInfo
    recovery =
      isRelayed && !close
        ? `yes: a new edit relayed ${formatSeconds(performance.now() - recoveryStartedAt)} after reconnecting`
        : close
          ? `no: closed ${formatClose(close)}`
          : 'no: a new edit was not relayed in 15 s'
    if (isRelayed && !close) acknowledged.set(key, reader.doc.getMap<string>('edits').get(key)!)
    await reader.connection.close()
  } catch (error) {
    recovery = `no: ${(error as Error).message}`
  }
  await writer.connection.close()
  await observer.connection.close()
  report.add('after 5 MiB is freed, the writer reconnects and edits', recovery, 'yes')
  const afterFree = await probeConnection(server.url, 'another-new-document', answerTimeoutMs)
  report.add('a connection to a new document after', formatProbe(afterFree, answerTimeoutMs))
  report.add(
    'acknowledged edits a fresh client finds',
    await countKept(server, acknowledged),
    'all',
  )

  progress('restarting the server')
  report.add('tmpfs before the restart', await usage(mountPoint))
  const stopped = await server.stop(30_000)
  sampler.stop()
  report.add(
    'server stop (SIGTERM)',
    `${stopped.wasKilled ? 'killed after 30 s' : stopped.exit} after ${formatSeconds(stopped.ms)}`,
  )
  report.add('written to the data directory', formatWritten(sampler.written))
  report.noteProblems('The server', server)
  try {
    server = await context.startServer(dataDirectory)
    report.add(
      'after a restart, acknowledged edits a fresh client finds',
      await countKept(server, acknowledged),
      'all',
    )
    report.noteProblems('The restarted server', server)
  } catch (error) {
    report.add('after a restart', `the server does not start: ${(error as Error).message}`)
  }
  report.note(
    `A ${tmpfsSize.replace('m', ' MiB')} tmpfs holds a ${fillerBytes / 2 ** 20} MiB filler file and the data directory; ` +
      `the writer sets ${editBytes / 1024} KiB values of random text, one update at a time. An edit counts ` +
      'as acknowledged once the server relayed it to another client (it relays only what it stored).',
  )
}

/** Attack 6 of the hardening issue. */
export const diskFull: Attack = {
  id: 'disk-full',
  title: 'Disk full',
  isSized: false,
  deadlineMs: () => 300_000,
  run,
}
