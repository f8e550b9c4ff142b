// The oracles on documents, run after the soak and again after a restart on the same data: every
// document loads in a fresh client; each writers' document holds exactly what its writers wrote;
// each hostile document is what its bystander was relayed, and after the restart what it was
// before; no presence is left behind.
import * as Y from 'yjs'
import { DeadlineError, pollUntil } from './deadlines.js'
import { type LoadedDocument, loadAsFreshClient } from './fresh-reader.js'
import type { FuzzReport } from './report.js'
import { type WellBehavedClients, sameState } from './well-behaved-clients.js'

/** What the checks work with. */
export interface EndCheckContext {
  readonly url: string
  readonly deadlineMs: number
  readonly report: FuzzReport
  /**
   * The writers and bystanders, to compare the documents with; not after a crash (what they sent
   * last may be lost, and what they were relayed last may not be all there is).
   */
  readonly clients?: WellBehavedClients
  readonly writerRooms: readonly string[]
  readonly hostileRooms: readonly string[]
  /** 'after the soak' or 'after a restart'. */
  readonly when: string
}

/** The hostile documents' content, by room, to compare across the restart. */
export type HostileSnapshots = Map<string, Y.Snapshot>

// A bystander is relayed an update a moment after the store has it; it may lag a fresh load.
const catchUpMs = 3_000

async function load(context: EndCheckContext, room: string): Promise<LoadedDocument | undefined> {
  try {
    return await loadAsFreshClient(context.url, room, context.deadlineMs)
  } catch (error) {
    context.report.addFailure({
      kind: error instanceof DeadlineError ? 'hang' : 'document does not load',
      room,
      detail: `${context.when}: ${(error as Error).message}`,
    })
    return undefined
  }
}

/** Differences between a fresh client's copy of a writers' document and the writers' own. */
function writerDocumentProblems(
  loaded: Y.Doc,
  clients: WellBehavedClients,
  room: string,
): string[] {
  const problems: string[] = []
  const writerIds = new Set(clients.writersOf(room).map((writer) => writer.identity.clientId))
  const foreign = [...loaded.store.clients.keys()].filter((client) => !writerIds.has(client))
  if (foreign.length > 0)
    problems.push(`it holds content of clients ${foreign.join(', ')}, not writers`)
  for (const writer of clients.writersOf(room)) {
    const { clientId, writes } = writer.identity
    const name = writes?.textName ?? ''
    const expected = writer.doc.getText(name).toString()
    const actual = loaded.getText(name).toString()
    if (actual !== expected) {
      problems.push(
        `${name} has ${actual.length} characters, writer ${clientId} wrote ${expected.length}`,
      )
    }
    if (!sameState(loaded, writer.doc)) {
      problems.push(
        `its state differs from writer ${clientId}'s (content no writer wrote, or lost)`,
      )
    }
  }
  if (loaded.store.pendingStructs || loaded.store.pendingDs) {
    problems.push('it holds pending content no writer wrote')
  }
  return problems
}

function presenceProblem(
  actual: ReadonlyMap<number, string>,
  expected: ReadonlyMap<number, string>,
): string | undefined {
  const problems: string[] = []
  for (const [id, json] of expected) {
    const state = actual.get(id)
    if (state === undefined) problems.push(`writer ${id}'s presence is gone`)
    else if (state !== json) {
      problems.push(`writer ${id}'s presence was replaced by ${state.slice(0, 80)}`)
    }
  }
  const extra = [...actual.keys()].filter((id) => !expected.has(id))
  if (extra.length > 0) {
    problems.push(`${extra.length} states of closed connections remain (e.g. client ${extra[0]})`)
  }
  return problems.length > 0 ? problems.join('; ') : undefined
}

// Closing connections' states are removed when the server sees the close, a moment after the
// fuzzer does: the presence is looked at again until it is right or the deadline passes.
async function checkPresence(
  context: EndCheckContext,
  room: string,
  first: LoadedDocument,
  expected: ReadonlyMap<number, string>,
): Promise<void> {
  let problem = presenceProblem(first.presence, expected)
  if (!problem) return
  try {
    await pollUntil(
      async () => {
        const loaded = await loadAsFreshClient(context.url, room, context.deadlineMs)
        loaded.doc.destroy()
        problem = presenceProblem(loaded.presence, expected)
        return problem === undefined
      },
      catchUpMs,
      'presence',
      100,
    )
  } catch {
    context.report.addFailure({ kind: 'presence', room, detail: `${context.when}: ${problem}` })
  }
}

// The bystander's content as a fresh client would load it, to compare like with like. Yjs keeps
// a struct pending in a document that waits behind a struct it already holds whose own origin is
// missing, yet a load of Y.encodeStateAsUpdate (which merges the pending structs into the state
// and so drops that duplicate) integrates it: the server's document and its bystander agree, and
// a fresh load of the same updates holds more.
function sameAsLoadedFresh(doc: Y.Doc, loaded: Y.Doc): boolean {
  const copy = new Y.Doc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  const isSame = sameState(copy, loaded)
  copy.destroy()
  return isSame
}

async function checkBystander(
  context: EndCheckContext,
  room: string,
  loaded: Y.Doc,
): Promise<void> {
  const bystander = context.clients?.bystanderOf(room)
  if (!bystander) return
  try {
    await pollUntil(
      () => sameAsLoadedFresh(bystander.doc, loaded),
      catchUpMs,
      'catch-up of the bystander',
    )
  } catch {
    const unapplied = bystander.unappliedUpdates
    context.report.addFailure({
      kind: 'bystander differs',
      room,
      detail:
        `${context.when}: what the server relayed to a client adds up to other content than it serves` +
        (unapplied > 0 ? ` (the client could not apply ${unapplied} of the updates relayed)` : ''),
    })
  }
}

/**
 * Runs the checks on every document. `isLive`: the soak's clients are still connected (the
 * writers' presence must be there, the bystanders must have caught up). Returns the hostile
 * documents' snapshots, and compares them with `before` if given.
 */
export async function checkDocuments(
  context: EndCheckContext,
  isLive: boolean,
  before?: HostileSnapshots,
): Promise<HostileSnapshots> {
  const snapshots: HostileSnapshots = new Map()
  const fail = (room: string, detail: string): void =>
    context.report.addFailure({
      kind: 'document differs',
      room,
      detail: `${context.when}: ${detail}`,
    })
  let loadedCount = 0
  for (const room of [...context.writerRooms, ...context.hostileRooms]) {
    const loaded = await load(context, room)
    if (!loaded) continue
    loadedCount++
    const expectedPresence = new Map<number, string>()
    if (context.writerRooms.includes(room)) {
      const clients = context.clients
      if (clients) {
        for (const problem of writerDocumentProblems(loaded.doc, clients, room)) fail(room, problem)
        for (const { identity } of isLive ? clients.writersOf(room) : []) {
          expectedPresence.set(identity.clientId, identity.presenceJson ?? '')
        }
      }
    } else {
      const snapshot = Y.snapshot(loaded.doc)
      snapshots.set(room, snapshot)
      const previous = before?.get(room)
      if (previous && !Y.equalSnapshots(previous, snapshot)) {
        fail(room, 'its content is not what it was before the restart')
      }
      if (isLive) await checkBystander(context, room, loaded.doc)
    }
    await checkPresence(context, room, loaded, expectedPresence)
    loaded.doc.destroy()
  }
  const total = context.writerRooms.length + context.hostileRooms.length
  context.report.endChecks.push(
    `${context.when}: ${loadedCount} of ${total} documents loaded and checked`,
  )
  return snapshots
}
