// Idle connections: `connections` light clients over `rooms` rooms, synced and then silent.
// Params: connections, rooms, idleMs.
import { BenchClient, closeAll, openAll } from '../load/client.js'
import type { Scenario } from '../load/context.js'
import { freshRoom } from '../load/context.js'
import { serverPeakRssMb, serverRssKb, settle, sleep } from '../load/measure.js'

/** Runs the idle-connections scenario. */
export const idle: Scenario = async (context, params) => {
  const { connections = 10_000, rooms = 500, idleMs = 3000 } = params
  const server = context.server()
  await settle(server.pid)
  const baselineKb = serverRssKb(server.pid)
  const prefix = freshRoom('idle')
  const connectStarted = performance.now()
  const clients = await openAll(
    Array.from({ length: connections }, (_, i) => i),
    200,
    (i) => new BenchClient(context.target(), `${prefix}-${i % rooms}`, {}),
  )
  const connectMs = performance.now() - connectStarted
  await settle(server.pid)
  const window = context.openWindow()
  await sleep(idleMs)
  const { serverCpuMs, elapsedMs, load, span } = window.close()
  const openKb = serverRssKb(server.pid)
  await context.takeHeapSnapshot()
  await closeAll(clients)
  await settle(server.pid, 500)
  return {
    figures: {
      rssKbPerConnection: (openKb - baselineKb) / connections,
      idleCpuMsPerSecond: (serverCpuMs * 1000) / elapsedMs,
      connectMs,
      rssAfterCloseMb: serverRssKb(server.pid) / 1024,
      peakRssMb: serverPeakRssMb(server.pid),
    },
    load,
    span,
  }
}
