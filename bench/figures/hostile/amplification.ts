// Attack 1, sync step 1 amplification: ten connections that never read each ask a large document
// for everything it holds with an 80-byte sync step 1, and the server holds one encoded copy of
// the document per connection.
import { setTimeout as delay } from 'node:timers/promises'
import { writeSyncStep1 } from '../../../protocol/message.js'
import { RawConnection, SyncClient, formatClose } from './connection.js'
import { madeUpStateVector } from '../../../test/helpers/hostile-updates.js'
import { storeTextDocument } from './documents.js'
import {
  ProcessSampler,
  cpuMs,
  formatMiB,
  formatRatio,
  formatSeconds,
  formatWritten,
  rssBytes,
  waitFor,
  withTimeout,
} from './measure.js'
import type { Attack, AttackContext } from './report.js'
import { readHealth } from './server-process.js'

const attackers = 10
const attackWindowMs = 10_000
const settleAfterMs = 60_000
const room = 'large-document'

async function run(context: AttackContext, sizeMiB: number): Promise<void> {
  const { report, progress } = context
  const dataDirectory = await context.directory(`amplification-${sizeMiB}`)
  progress(`storing a ${sizeMiB} MiB document`)
  const stored = await withTimeout(
    storeTextDocument(dataDirectory, room, sizeMiB * 2 ** 20),
    300_000,
    'storing the document',
  )
  report.add(
    'document (compacted state, stored before the server starts)',
    formatMiB(stored.updateBytes),
  )

  const server = await context.startServer(dataDirectory, ['--max-document-bytes', '1GiB'])
  const startedAt = performance.now()
  const reader = await SyncClient.connect(server.url, room)
  const isSynced = await waitFor(
    () => reader.isSynced || reader.connection.closeInfo !== undefined,
    180_000,
  )
  const syncMs = performance.now() - startedAt
  const text = reader.doc.getText('text').length
  if (!reader.isSynced) {
    const close = reader.connection.closeInfo
    report.add(
      'cold sync of one normal client',
      isSynced && close ? `closed ${formatClose(close)}` : 'no sync step 2 in 180 s',
    )
    return
  }
  report.add(
    'cold sync of one normal client',
    `${formatSeconds(syncMs)}, ${text === stored.textLength ? 'full text' : `${text} of ${stored.textLength} characters`}`,
  )
  await delay(2_000)
  const preAttack = rssBytes(server.pid) ?? 0
  report.add('server RSS before the attack (document loaded, one client)', formatMiB(preAttack))

  progress(`${attackers} connections that never read send an 80-byte sync step 1 each`)
  const sampler = await ProcessSampler.start(server.pid, dataDirectory)
  const cpuBefore = cpuMs(server.pid) ?? 0
  const sockets: RawConnection[] = []
  for (let i = 0; i < attackers; i++) {
    try {
      const socket = await RawConnection.open(server.url, room)
      await socket.send(writeSyncStep1(madeUpStateVector(i)))
      socket.stopReading()
      sockets.push(socket)
    } catch (error) {
      report.note(`attacker ${i + 1} could not connect: ${(error as Error).message}`)
    }
  }
  await delay(attackWindowMs)
  const cpuDuring = (cpuMs(server.pid) ?? cpuBefore) - cpuBefore
  const health = await readHealth(server.httpUrl, 5_000)
  sampler.stop()
  const growth = sampler.peakRss - preAttack
  report.add(
    'sync step 1 frame of each attacker',
    `${writeSyncStep1(madeUpStateVector(0)).length} bytes × ${sockets.length} connections`,
  )
  report.add(`peak RSS growth in ${attackWindowMs / 1000} s`, formatMiB(growth))
  report.add('peak RSS growth / document size', formatRatio(growth / stored.updateBytes), '< 2×')
  report.add(`server CPU in those ${attackWindowMs / 1000} s`, formatSeconds(cpuDuring))
  report.add('disk written meanwhile', formatWritten(sampler.written))
  report.add(
    'server after the window',
    !server.isAlive()
      ? `died: ${server.exitDescription() ?? ''}`
      : 'status' in health
        ? `alive; /healthz: ${connectionsOf(health.body)} connections`
        : `alive; /healthz: ${health.failure}`,
  )
  if (!server.isAlive()) return

  progress(`attackers dropped; waiting ${settleAfterMs / 1000} s`)
  for (const socket of sockets) socket.terminate()
  await delay(settleAfterMs)
  const after = rssBytes(server.pid)
  if (after === undefined) {
    report.add(
      `RSS ${settleAfterMs / 1000} s after the attackers were dropped`,
      `server died: ${server.exitDescription() ?? ''}`,
    )
    return
  }
  const change = (after - preAttack) / preAttack
  report.add(
    `RSS ${settleAfterMs / 1000} s after the attackers were dropped`,
    `${formatMiB(after)} (${change >= 0 ? '+' : ''}${(change * 100).toFixed(0)} % of before the attack)`,
    'within 20 % of before the attack',
  )
  const close = reader.connection.closeInfo
  report.add('the normal client', close ? `was closed: ${formatClose(close)}` : 'still connected')
  await reader.connection.close()
  report.note(
    'The normal client stays connected throughout, so the document stays loaded; the attackers pause ' +
      'their sockets right after sending, so whatever the server sends them stays in its memory.',
  )
}

function connectionsOf(body: string): string {
  try {
    return String((JSON.parse(body) as { connections?: number }).connections ?? '?')
  } catch {
    return '?'
  }
}

/** Attack 1 of the hardening issue. */
export const amplification: Attack = {
  id: 'amplification',
  title: 'Sync step 1 amplification',
  isSized: true,
  deadlineMs: (sizeMiB) => 240_000 + sizeMiB * 2_000,
  run,
}
