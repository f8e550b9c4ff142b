// Attack 2, nested-map poison: 20,000 Y.Maps nested within each other, then an update deleting
// the outer one. Deleting it recurses once per level in Yjs, past the stack of a Node process.
import { setTimeout as delay } from 'node:timers/promises'
import { writeSyncUpdate } from '../../../protocol/message.js'
import { deletion, nestedMaps, nestingClient } from '../../../test/helpers/hostile-updates.js'
import { RawConnection, SyncClient, formatClose } from './connection.js'
import { appendText } from './documents.js'
import { formatMiB, formatSeconds, waitFor } from './measure.js'
import type { Attack, AttackContext } from './report.js'
import type { ServerUnderTest } from './server-process.js'

const depth = 20_000
const room = 'poison'
const bystanderRoom = 'bystander'
const answerTimeoutMs = 15_000

/**
 * Sends `update` from `writer` and says whether the server took it: `observer`, in the same room,
 * sees it relayed (write-before-relay: relayed only once stored), or the writer is closed.
 */
async function sendAndJudge(
  writer: RawConnection,
  observer: SyncClient,
  update: Uint8Array,
): Promise<string> {
  if (!writer.isOpen)
    return `not sent: the writer was closed ${formatClose(writer.closeInfo ?? { code: 0, reason: '' })}`
  const relayedBefore = observer.relayedUpdates
  const startedAt = performance.now()
  await writer.send(writeSyncUpdate(update))
  await waitFor(
    () => observer.relayedUpdates > relayedBefore || writer.closeInfo !== undefined,
    answerTimeoutMs,
  )
  const ms = performance.now() - startedAt
  if (writer.closeInfo)
    return `refused: closed ${formatClose(writer.closeInfo)} after ${formatSeconds(ms)}`
  if (observer.relayedUpdates > relayedBefore)
    return `accepted (relayed after ${formatSeconds(ms)})`
  return `no relay and no close in ${formatSeconds(answerTimeoutMs)}`
}

/** A fresh client's full sync of `room`: what came, and whether applying it threw. */
async function freshSync(server: ServerUnderTest, name: string): Promise<string> {
  let client: SyncClient
  try {
    client = await SyncClient.connect(server.url, name)
  } catch (error) {
    return `could not connect: ${(error as Error).message}`
  }
  const startedAt = performance.now()
  await waitFor(() => client.isSynced || client.connection.closeInfo !== undefined, answerTimeoutMs)
  const ms = performance.now() - startedAt
  const close = client.connection.closeInfo
  await client.connection.close()
  if (client.step2Bytes === undefined) {
    return close
      ? `closed ${formatClose(close)} before sync step 2`
      : `no sync step 2 in ${formatSeconds(answerTimeoutMs)}`
  }
  const got = `sync step 2 of ${client.step2Bytes.toLocaleString('en')} bytes after ${formatSeconds(ms)}`
  if (client.applyError)
    return `${got}; applying it threw ${client.applyError.name}: ${client.applyError.message}`
  const outer = client.doc.getMap(room).get('inner')
  const holds = outer === undefined ? 'the outer map is deleted' : 'the outer map is still there'
  client.doc.destroy()
  return `${got}; applies (${holds})`
}

/** Writes a line of text into another document and reads it back with a fresh client. */
async function otherDocumentWorks(server: ServerUnderTest): Promise<string> {
  try {
    const reader = await SyncClient.connect(server.url, bystanderRoom)
    const writer = await SyncClient.connect(server.url, bystanderRoom)
    const ok = await waitFor(() => reader.isSynced && writer.isSynced, answerTimeoutMs)
    if (!ok) return 'no sync in 15 s'
    const line = `still here ${Date.now()}`
    await writer.connection.send(writeSyncUpdate(appendText(writer.doc, line)))
    const relayed = await waitFor(
      () => reader.doc.getText('text').toString().endsWith(line),
      answerTimeoutMs,
    )
    await writer.connection.close()
    await reader.connection.close()
    return relayed ? 'yes' : 'no: the edit did not reach the other client in 15 s'
  } catch (error) {
    return `no: ${(error as Error).message}`
  }
}

async function run(context: AttackContext): Promise<void> {
  const { report, progress } = context
  const dataDirectory = await context.directory('nested-maps')
  const nested = nestedMaps(depth, room)
  // The outer map is the first item its client wrote (clock 0): this is the delete set a Y.Doc
  // emits for `root.delete('inner')` (built by hand, since a Y.Doc in this process would
  // overflow its own stack doing so).
  const poison = deletion(nestingClient, 1)
  let server = await context.startServer(dataDirectory)
  const observer = await SyncClient.connect(server.url, room)
  const writer = await RawConnection.open(server.url, room)
  await waitFor(() => observer.isSynced, answerTimeoutMs)

  progress(`sending ${depth} nested maps, then the deletion of the outer one`)
  report.add(
    `update of ${depth.toLocaleString('en')} nested Y.Maps (${(nested.length / 1000).toFixed(0)} KB)`,
    await sendAndJudge(writer, observer, nested),
  )
  report.add(
    `update deleting the outer map (${poison.length} bytes)`,
    await sendAndJudge(writer, observer, poison),
  )
  await writer.close()
  await observer.connection.close()
  // The last client left: the server compacts the document now (it applies the queued updates).
  await delay(1_000)
  report.add('a fresh client joins', await freshSync(server, room))
  report.add(
    'server process',
    server.isAlive() ? 'alive' : `died: ${server.exitDescription() ?? ''}`,
  )
  if (server.isAlive()) {
    report.add('a fresh client syncs this document again', await freshSync(server, room))
    report.add(
      'another document still works (edit relayed to a second client)',
      await otherDocumentWorks(server),
    )
  }

  progress('restarting the server')
  const stopped = await server.stop()
  report.add(
    'server stop (SIGTERM)',
    `${stopped.wasKilled ? 'killed after the deadline' : stopped.exit} after ${formatSeconds(stopped.ms)}`,
  )
  report.noteProblems('The first server', server)
  try {
    server = await context.startServer(dataDirectory)
  } catch (error) {
    report.add('after a restart', `the server does not start: ${(error as Error).message}`)
    return
  }
  report.add('after a restart, a fresh client joins', await freshSync(server, room))
  report.add(
    'after a restart, server process',
    server.isAlive() ? 'alive' : `died: ${server.exitDescription() ?? ''}`,
  )
  report.noteProblems('The restarted server', server)
  report.note(
    `"accepted" means the server stored and relayed the update to another client of the document ` +
      `(it relays only what it stored). The nested update is built by a real Y.Doc ` +
      `(test/helpers/hostile-updates.ts nestedMaps; ${formatMiB(nested.length)}).`,
  )
}

/** Attack 2 of the hardening issue. */
export const nestedMapPoison: Attack = {
  id: 'nested-maps',
  title: 'Nested-map poison',
  isSized: false,
  deadlineMs: () => 300_000,
  run,
}
