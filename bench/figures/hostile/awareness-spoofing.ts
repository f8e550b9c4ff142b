// Attack 5, awareness spoofing: a connection sets, then removes, the awareness state of a client
// ID that another connection announced, and announces a hundred client IDs of its own.
import { setTimeout as delay } from 'node:timers/promises'
import {
  type AwarenessEntry,
  readAwarenessUpdate,
  writeAwarenessUpdate,
} from '../../../protocol/awareness-codec.js'
import { writeAwareness } from '../../../protocol/message.js'
import { SyncClient, formatClose } from './connection.js'
import { waitFor } from './measure.js'
import type { Attack, AttackContext } from './report.js'
import type { ServerUnderTest } from './server-process.js'

const room = 'presence'
/** Loopback addresses of the other clients (Linux routes all of 127.0.0.0/8 to lo). */
const otherAddress = '127.0.0.2'
const floodAddress = '127.0.0.3'
const manyIds = 100
const relayTimeoutMs = 2_000

/** The awareness states a client has heard of, by client ID, as the last entry it received. */
function statesSeen(client: SyncClient): Map<number, AwarenessEntry> {
  const states = new Map<number, AwarenessEntry>()
  for (const update of client.awareness) {
    for (const entry of readAwarenessUpdate(update)) states.set(entry.clientId, entry)
  }
  return states
}

/** `"Alice" (clock 1)`, `removed (clock 3)`, `never heard of` */
function describe(entry: AwarenessEntry | undefined): string {
  if (!entry) return 'never heard of'
  if (entry.stateJson === 'null') return `removed (clock ${entry.clock})`
  const name = (JSON.parse(entry.stateJson) as { user?: { name?: string } }).user?.name
  return `${JSON.stringify(name ?? entry.stateJson)} (clock ${entry.clock})`
}

const announce = (clientId: number, clock: number, name: string | null): Uint8Array =>
  writeAwareness(
    writeAwarenessUpdate([
      { clientId, clock, stateJson: name === null ? 'null' : JSON.stringify({ user: { name } }) },
    ]),
  )

/** Sends an awareness frame from `sender` and waits for `observer` to hear of a change. */
async function sendAndWait(
  sender: SyncClient,
  observer: SyncClient,
  frame: Uint8Array,
): Promise<void> {
  const heardBefore = observer.awareness.length
  if (!sender.connection.isOpen) return
  await sender.connection.send(frame)
  await waitFor(
    () => observer.awareness.length > heardBefore || !sender.connection.isOpen,
    relayTimeoutMs,
  )
}

/** What a client that joins now is told about `ids` (the server greets it with every state). */
async function freshView(
  server: ServerUnderTest,
  ids: readonly number[],
): Promise<Map<number, AwarenessEntry>> {
  const client = await SyncClient.connect(server.url, room)
  await waitFor(() => client.isSynced, 5_000)
  // The greeting's awareness comes with the sync step 1; give it a moment.
  await delay(300)
  const seen = statesSeen(client)
  await client.connection.close()
  return new Map(ids.flatMap((id) => (seen.has(id) ? [[id, seen.get(id)!] as const] : [])))
}

async function connected(server: ServerUnderTest, localAddress?: string): Promise<SyncClient> {
  const client = await SyncClient.connect(server.url, room, undefined, { localAddress })
  await waitFor(() => client.isSynced, 5_000)
  return client
}

const closedState = (client: SyncClient): string => {
  const close = client.connection.closeInfo
  return close ? `closed ${formatClose(close)}` : 'not closed'
}

/**
 * A (on 127.0.0.1) announces `victimId`; B, on `attackerAddress`, sets a newer state for it,
 * then removes it. Adds the rows under `prefix`; `isFull` adds what a joining client is told and
 * whether A was closed.
 */
async function spoof(
  context: AttackContext,
  server: ServerUnderTest,
  victimId: number,
  attackerAddress: string,
  prefix: string,
  isFull: boolean,
): Promise<void> {
  const { report } = context
  const observer = await connected(server)
  const victim = await connected(server)
  const attacker = await connected(server, attackerAddress)
  const viewOfVictim = (): string => describe(statesSeen(observer).get(victimId))
  // From A's own address B may pass for a reconnect of A, which may take its ID back.
  const target = isFull ? '"Alice" (clock 1)' : ''
  await sendAndWait(victim, observer, announce(victimId, 1, 'Alice'))
  if (isFull)
    report.add(`${prefix}observer's view of A's client ID after A announced it`, viewOfVictim())
  await sendAndWait(attacker, observer, announce(victimId, 2, 'Mallory'))
  report.add(`${prefix}… after B sent a newer clock with another name`, viewOfVictim(), target)
  await sendAndWait(attacker, observer, announce(victimId, 3, null))
  report.add(`${prefix}… after B sent a removal for it`, viewOfVictim(), target)
  await delay(500)
  if (isFull) {
    const told = (await freshView(server, [victimId])).get(victimId)
    report.add(`${prefix}a client joining now is told`, describe(told), `"Alice" (clock 1)`)
  }
  report.add(`${prefix}connection B (the spoofer)`, closedState(attacker))
  if (isFull) report.add(`${prefix}connection A (the victim)`, closedState(victim), 'not closed')
  for (const client of [observer, victim, attacker]) await client.connection.close()
}

async function run(context: AttackContext): Promise<void> {
  const { report, progress } = context
  const server = await context.startServer(await context.directory('awareness'))
  progress('A announces a client ID; B, from another address, overwrites it, then removes it')
  await spoof(context, server, 31_337, otherAddress, '', true)
  progress('the same from the address of A')
  await spoof(context, server, 31_338, '127.0.0.1', "B from A's address: ", false)

  progress(`a connection announces ${manyIds} client IDs`)
  const observer = await connected(server)
  const flooder = await connected(server, floodAddress)
  const ids = Array.from({ length: manyIds }, (_, i) => 50_000 + i)
  const entries = ids.map((clientId) => ({
    clientId,
    clock: 1,
    stateJson: JSON.stringify({ user: { name: `bot ${clientId}` } }),
  }))
  await sendAndWait(flooder, observer, writeAwareness(writeAwarenessUpdate(entries)))
  await delay(500)
  const accepted = [...(await freshView(server, ids)).values()].filter(
    (entry) => entry.stateJson !== 'null',
  )
  report.add(
    `client IDs accepted of ${manyIds} announced in one update by one connection`,
    `${accepted.length} (as a joining client is told)`,
    'a few (the per-connection bound)',
  )
  report.add('that connection', closedState(flooder))
  for (const client of [observer, flooder]) await client.connection.close()
  report.noteProblems('The server', server)
  report.note(
    `Raw connections in one document, authentication off. A and the observer connect from ` +
      `127.0.0.1, B from ${otherAddress} (another client: without authentication the server can ` +
      `tell clients apart only by address), then, in the "B from A's address" rows, from 127.0.0.1, ` +
      `where it may pass for a reconnect of A. The ${manyIds} client IDs come from ${floodAddress}. ` +
      '"Removed" is what the observer was last told about that ID.',
  )
}

/** Attack 5 of the hardening issue. */
export const awarenessSpoofing: Attack = {
  id: 'awareness',
  title: 'Awareness spoofing',
  isSized: false,
  deadlineMs: () => 120_000,
  run,
}
