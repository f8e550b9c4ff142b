// Attack 4, pending structs: updates whose text hangs off an origin that never exists. Yjs keeps
// them pending for ever, so a document can be made to carry any amount of content that no client
// sees.
import { readClientMessage, writeSyncStep1, writeSyncUpdate } from '../../../protocol/message.js'
import { pendingText } from '../../../test/helpers/hostile-updates.js'
import { RawConnection, SyncClient, formatClose } from './connection.js'
import {
  ProcessSampler,
  cpuMs,
  formatMiB,
  formatSeconds,
  formatWritten,
  rssBytes,
  waitFor,
} from './measure.js'
import type { Attack, AttackContext } from './report.js'

const updates = 300
const textBytes = 60 * 1024
const room = 'pending'
/** How long one update may go without a relay or a close before it counts as unanswered. */
const answerTimeoutMs = 2_000
/** Unanswered updates in a row after which the attacker gives up. */
const maxUnansweredInARow = 10

/** The size of the sync step 2 payload a client with nothing gets for `room`. */
async function freshStep2Bytes(url: string): Promise<string> {
  let connection: RawConnection
  try {
    connection = await RawConnection.open(url, room)
  } catch (error) {
    return `could not connect: ${(error as Error).message}`
  }
  let bytes: number | undefined
  connection.onFrame = (frame) => {
    try {
      const message = readClientMessage(frame)
      if (message.kind === 'syncStep2') bytes = message.update.length
    } catch {
      // Not a sync frame.
    }
  }
  await connection.send(writeSyncStep1(new Uint8Array([0])))
  await waitFor(() => bytes !== undefined || connection.closeInfo !== undefined, 20_000)
  const close = connection.closeInfo
  await connection.close()
  if (bytes !== undefined) return `${bytes.toLocaleString('en')} bytes (${formatMiB(bytes)})`
  return close ? `closed ${formatClose(close)} first` : 'no sync step 2 in 20 s'
}

async function run(context: AttackContext): Promise<void> {
  const { report, progress } = context
  const dataDirectory = await context.directory('pending-structs')
  // The document-size limit (16 MiB by default) would stop 300 × 60 KiB first; this attack is
  // about what waits for missing content.
  const server = await context.startServer(dataDirectory, ['--max-document-bytes', '1GiB'])
  const startRss = rssBytes(server.pid) ?? 0
  const sampler = await ProcessSampler.start(server.pid, dataDirectory)
  const cpuBefore = cpuMs(server.pid) ?? 0
  const observer = await SyncClient.connect(server.url, room)
  await waitFor(() => observer.isSynced, 10_000)
  const attacker = await RawConnection.open(server.url, room)

  progress(`${updates} updates of ${textBytes / 1024} KiB hanging off an origin that never exists`)
  const startedAt = performance.now()
  let sent = 0
  let unanswered = 0
  let unansweredInARow = 0
  for (let i = 0; i < updates && attacker.isOpen; i++) {
    // Each its own client (origin client = client + 1 never writes): 10_000, 10_002, ...
    const update = pendingText(10_000 + 2 * i, textBytes)
    const relayedBefore = observer.relayedUpdates
    try {
      await attacker.send(writeSyncUpdate(update))
    } catch {
      break
    }
    sent++
    const answered = await waitFor(
      () => observer.relayedUpdates > relayedBefore || attacker.closeInfo !== undefined,
      answerTimeoutMs,
      5,
    )
    if (answered) {
      unansweredInARow = 0
      continue
    }
    unanswered++
    if (++unansweredInARow >= maxUnansweredInARow) break
  }
  // Late relays still count as accepted.
  await waitFor(() => observer.relayedUpdates >= sent || attacker.closeInfo !== undefined, 10_000)
  const close = attacker.closeInfo
  const ms = performance.now() - startedAt
  const cpuSpent = (cpuMs(server.pid) ?? cpuBefore) - cpuBefore
  report.add(
    `updates accepted (stored and relayed) of ${updates} × ${textBytes / 1024} KiB pending text`,
    `${observer.relayedUpdates} of ${sent} sent, in ${formatSeconds(ms)}` +
      (unanswered > 0
        ? `; ${unanswered} went more than ${answerTimeoutMs / 1000} s without a relay or a close`
        : ''),
  )
  report.add('server CPU time meanwhile', formatSeconds(cpuSpent))
  report.add('the attacking connection', close ? `closed ${formatClose(close)}` : 'still open')
  await attacker.close()
  await observer.connection.close()
  report.add(
    'what the observer could read of it (its text)',
    `${observer.doc.getText('text').length} characters` +
      (observer.doc.store.pendingStructs ? '; the rest waits in its pending structs' : ''),
  )
  report.add(
    'sync step 2 a fresh client receives for the document',
    await freshStep2Bytes(server.url),
  )
  sampler.stop()
  report.add('peak RSS above the start', formatMiB(sampler.peakRss - startRss))
  report.add('disk written', formatWritten(sampler.written))
  report.noteProblems('The server', server)
  report.note(
    'Each update is one struct of one client (0x80|4: an origin, string content) whose origin is ' +
      'clock 1000 of a client that never writes, and an empty delete set ' +
      '(test/helpers/hostile-updates.ts pendingText).',
  )
}

/** Attack 4 of the hardening issue. */
export const pendingStructs: Attack = {
  id: 'pending-structs',
  title: 'Pending structs',
  isSized: false,
  deadlineMs: () => 600_000,
  run,
}
