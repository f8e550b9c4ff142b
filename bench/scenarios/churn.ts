// Churn: cycles of `rooms` fresh rooms, each opened by one client, edited and closed; the
// server's memory after each cycle, once the rooms have unloaded, and again after `idleMs` of
// quiet: a garbage-collected runtime gives memory back lazily (V8's memory reducer starts about
// 8 s after the last major collection), so memory right after a burst overstates what stays.
// Params: cycles, rooms, idleMs.
import * as Y from 'yjs'
import { BenchClient, closeAll, openAll } from '../load/client.js'
import type { Scenario } from '../load/context.js'
import { freshRoom } from '../load/context.js'
import { serverPeakRssMb, serverRssKb, settle, sleep } from '../load/measure.js'
import { isOurs } from './types.js'

// Ours and its variants keep an empty room for --unload-grace-ms (1000 in the benchmark), so a
// cycle waits for /healthz to show no documents; the peers unload as soon as the last connection
// closes.
async function waitForUnload(healthUrl: string | null): Promise<void> {
  if (!healthUrl) return
  let documents = -1
  const poll = async (): Promise<void> => {
    const response = await fetch(healthUrl)
    documents = ((await response.json()) as { documents: number }).documents
  }
  const deadline = performance.now() + 15_000
  await poll()
  while (documents > 0 && performance.now() < deadline) {
    await sleep(100)
    await poll()
  }
}

/** Runs the churn scenario. */
export const churn: Scenario = async (context, params) => {
  const { cycles = 3, rooms = 1000, idleMs = 25_000 } = params
  const server = context.server()
  const healthUrl = isOurs(server.kind) ? `${server.baseUrl.replace('ws:', 'http:')}/healthz` : null
  await settle(server.pid)
  const startKb = serverRssKb(server.pid)
  const afterCycleKb: number[] = []
  const window = context.openWindow()
  for (let cycle = 0; cycle < cycles; cycle++) {
    const prefix = freshRoom(`churn${cycle}`)
    const docs = Array.from({ length: rooms }, () => new Y.Doc())
    const clients = await openAll(
      docs.map((doc, i) => ({ doc, room: `${prefix}-${i}` })),
      100,
      ({ doc, room }) => new BenchClient(context.target(), room, { doc }),
    )
    for (const doc of docs)
      doc.getText('text').insert(0, 'a small paragraph of churn text. '.repeat(4))
    // Wait for the edits to reach the server before closing.
    await sleep(200)
    await settle(server.pid, 200)
    await closeAll(clients)
    await waitForUnload(healthUrl)
    await settle(server.pid, 300)
    afterCycleKb.push(serverRssKb(server.pid))
  }
  const { load, span } = window.close()
  await context.takeHeapSnapshot()
  const endKb = afterCycleKb[afterCycleKb.length - 1] ?? startKb
  await sleep(idleMs)
  const idleKb = serverRssKb(server.pid)
  return {
    figures: {
      rssStartMb: startKb / 1024,
      rssEndMb: endKb / 1024,
      growthPct: ((endKb - startKb) / startKb) * 100,
      rssIdleMb: idleKb / 1024,
      idleGrowthPct: ((idleKb - startKb) / startKb) * 100,
      rssMaxAfterCycleMb: Math.max(...afterCycleKb) / 1024,
      ...Object.fromEntries(afterCycleKb.map((kb, i) => [`rssAfterCycle${i + 1}Mb`, kb / 1024])),
      peakRssMb: serverPeakRssMb(server.pid),
    },
    load,
    span,
  }
}
