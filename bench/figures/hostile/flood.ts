// Attack 3, quadratic compaction: one writer sends 1 MiB updates as fast as the server takes
// them, then leaves. Each compaction encodes and writes the whole document, so with compaction
// every few MiB the bytes written grow with the square of the input.
import * as Y from 'yjs'
import { writeSyncUpdate } from '../../../protocol/message.js'
import { SyncClient, formatClose } from './connection.js'
import { appendText, randomText } from './documents.js'
import {
  ProcessSampler,
  StepTimeout,
  cpuMs,
  formatMiB,
  formatRatio,
  formatSeconds,
  formatWritten,
  rssBytes,
  waitFor,
  waitForIdle,
  withTimeout,
} from './measure.js'
import type { Attack, AttackContext } from './report.js'
import { openDocuments } from './server-process.js'

const updateBytes = 2 ** 20
const room = 'flood'
/** Reconnections of a dropped writer before the flood gives up. */
const maxReconnects = 10

async function run(context: AttackContext, sizeMiB: number): Promise<void> {
  const { report, progress } = context
  const dataDirectory = await context.directory(`flood-${sizeMiB}`)
  const server = await context.startServer(dataDirectory, [
    '--max-document-bytes',
    '1GiB',
    '--max-frame-bytes',
    '64MiB',
    '--max-buffered-bytes',
    '32MiB',
    '--unload-grace-ms',
    '1000',
  ])
  await waitForIdle(server.pid, { timeoutMs: 30_000 })
  const startRss = rssBytes(server.pid) ?? 0
  const cpuBefore = cpuMs(server.pid) ?? 0
  const sampler = await ProcessSampler.start(server.pid, dataDirectory)

  progress(`${sizeMiB} updates of 1 MiB`)
  const doc = new Y.Doc()
  // Like a stock client, the writer syncs before it types. The server's greeting may come after
  // frames sent meanwhile (it joins the connection to the room once loaded), and the writer's
  // answer to it is everything the greeting's state vector lacks: typing first would send the
  // whole flood again in one frame.
  const connectSynced = async (): Promise<SyncClient> => {
    const client = await SyncClient.connect(server.url, room, doc)
    const isSynced = await waitFor(
      () => (client.isSynced && client.hasAnsweredStep1) || !client.connection.isOpen,
      30_000,
    )
    if (!isSynced) throw new StepTimeout('the writer did not sync in 30 s')
    return client
  }
  let writer = await connectSynced()
  const startedAt = performance.now()
  const drops: string[] = []
  let inputBytes = 0
  let sent = 0
  while (sent < sizeMiB) {
    if (!writer.connection.isOpen) {
      // Dropped: reconnect, as a client would. The sync on connecting resends what the server
      // lacks (an update cut off with the connection).
      const close = await withTimeout(writer.connection.closed, 10_000, 'the close').catch(() => ({
        code: 0,
        reason: 'no close event',
      }))
      drops.push(`${formatClose(close)} after update ${sent}`)
      if (drops.length > maxReconnects) break
      writer = await connectSynced()
    }
    const update = appendText(doc, randomText(updateBytes))
    inputBytes += update.length
    sent++
    try {
      // Resolves once the frame is written to the socket: as fast as the server reads.
      await withTimeout(
        writer.connection.send(writeSyncUpdate(update)),
        120_000,
        `sending update ${sent}`,
      )
    } catch (error) {
      if (error instanceof StepTimeout) {
        report.note(`sending stopped: ${error.message}`)
        break
      }
      // Sent again by the sync after reconnecting.
    }
  }
  const sendMs = performance.now() - startedAt
  await writer.connection.close(30_000)
  report.add(
    'updates sent',
    `${sent} of ${sizeMiB} (${formatMiB(inputBytes)}) in ${formatSeconds(sendMs)}`,
  )
  report.add(
    'times the server dropped the writer (it reconnected)',
    drops.length === 0 ? 'none' : `${drops.length}: ${drops.join(', ')}`,
  )

  progress('waiting for the server to compact, unload and go idle')
  let idle = 'idle'
  try {
    await waitForIdle(server.pid, {
      timeoutMs: 120_000 + sizeMiB * 4_000,
      isSettled: async () => (await openDocuments(server.httpUrl)) === 0,
    })
  } catch (error) {
    idle = (error as Error).message
  }
  const idleMs = performance.now() - startedAt
  sampler.stop()
  const cpuSpent = (cpuMs(server.pid) ?? cpuBefore) - cpuBefore
  const peakGrowth = sampler.peakRss - startRss
  const written = sampler.written
  report.add(
    'time from the first update until the server is idle and the document unloaded',
    idle === 'idle' ? formatSeconds(idleMs) : `${formatSeconds(idleMs)}: ${idle}`,
  )
  report.add('server CPU time', formatSeconds(cpuSpent))
  report.add('server RSS at the start', formatMiB(startRss))
  report.add('peak RSS above the start', formatMiB(peakGrowth))
  report.add(
    'peak RSS above the start / input',
    formatRatio(peakGrowth / inputBytes),
    '< 7×, not growing with size',
  )
  report.add('disk written', formatWritten(written))
  report.add(
    'disk written / input',
    formatRatio(written.bytes / inputBytes),
    '< 7×, not growing with size',
  )
  report.add(
    'server RSS once idle',
    server.isAlive() ? formatMiB(sampler.lastRss) : `died: ${server.exitDescription() ?? ''}`,
  )
  if (!server.isAlive()) return

  progress('reading the document back')
  const expected = doc.getText('text').length
  doc.destroy()
  const reader = await SyncClient.connect(server.url, room)
  const readStartedAt = performance.now()
  await waitFor(() => reader.isSynced || reader.connection.closeInfo !== undefined, 180_000, 50)
  const readMs = performance.now() - readStartedAt
  const length = reader.doc.getText('text').length
  report.add(
    'a fresh client reads the document back',
    reader.isSynced
      ? `${length === expected ? 'all' : `${length} of ${expected}`} characters, in ${formatSeconds(readMs)}`
      : `no sync step 2 in ${formatSeconds(readMs)}`,
  )
  await reader.connection.close()
  reader.doc.destroy()
  report.noteProblems('The server', server)
}

/** Attack 3 of the hardening issue. */
export const flood: Attack = {
  id: 'flood',
  title: 'Quadratic compaction (1 MiB-update flood)',
  isSized: true,
  deadlineMs: (sizeMiB) => 300_000 + sizeMiB * 6_000,
  run,
}
