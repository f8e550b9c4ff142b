// Trace replay: two full clients push the automerge-paper trace through the server, taking turns
// of `turn` transactions; a client starts its turn only once it holds every earlier transaction.
// Then a fresh client joins and the time until it holds the full text is taken.
// Params: txns (how many of the trace's transactions; 0 = all), turn.
import * as Y from 'yjs'
import { BenchClient } from '../load/client.js'
import type { Scenario } from '../load/context.js'
import { freshRoom } from '../load/context.js'
import { settle, until } from '../load/measure.js'
import { applyTxn, loadTrace, replayedDoc } from '../load/trace.js'

const catchUpTimeoutMs = 30_000

/** Runs the trace-replay scenario. */
export const traceReplay: Scenario = async (context, params) => {
  const trace = loadTrace()
  const count =
    params.txns && params.txns > 0 ? Math.min(params.txns, trace.txns.length) : trace.txns.length
  const turn = params.turn ?? 100
  const expected =
    count === trace.txns.length ? trace.endContent : replayedDoc(count).getText('text').toString()
  const server = context.server()
  const room = freshRoom('trace')
  const docs = [new Y.Doc(), new Y.Doc()] as const
  const clients = docs.map((doc) => new BenchClient(context.target(), room, { doc }))
  await Promise.all(clients.map((client) => client.synced))
  await settle(server.pid)
  const window = context.openWindow()
  const started = performance.now()
  let isStuck = false
  for (let from = 0, writer = 0; from < count && !isStuck; from += turn, writer ^= 1) {
    const own = docs[writer] as Y.Doc
    const other = docs[writer ^ 1] as Y.Doc
    for (const txn of trace.txns.slice(from, Math.min(count, from + turn)))
      applyTxn(own, txn.patches)
    // Delivery is in order, so the other holds the whole turn once it has the writer's last
    // insert (clock) and the same length (any trailing deletes).
    const clock = Y.getState(own.store, own.clientID)
    const length = own.getText('text').length
    isStuck = !(await until(
      () =>
        Y.getState(other.store, own.clientID) >= clock && other.getText('text').length === length,
      catchUpTimeoutMs,
      0,
    ))
  }
  const replayMs = performance.now() - started
  const { serverCpuMs, load, span } = window.close()
  const converged = docs.every((doc) => doc.getText('text').toString() === expected)
  let freshClientMs: number | null = null
  if (server.hasServerState) {
    const fresh = new Y.Doc()
    const freshStarted = performance.now()
    const reader = new BenchClient(context.target(), room, { doc: fresh })
    const isLoaded = await until(
      () => fresh.getText('text').length === expected.length,
      catchUpTimeoutMs,
      0,
    )
    freshClientMs = performance.now() - freshStarted
    if (!isLoaded || fresh.getText('text').toString() !== expected) freshClientMs = null
    await reader.close()
  }
  await Promise.all(clients.map((client) => client.close()))
  return {
    figures: {
      txnsPerSecond: isStuck ? null : (count * 1000) / replayMs,
      cpuUsPerTxn: (serverCpuMs * 1000) / count,
      converged: converged ? 1 : 0,
      freshClientMs,
    },
    load,
    span,
  }
}
