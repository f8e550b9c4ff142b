// Many rooms: `rooms` rooms with two full clients each; every client makes one small edit per
// second, which the server relays to the other. Params: rooms, durationMs.
import * as Y from 'yjs'
import { BenchClient, closeAll, openAll } from '../load/client.js'
import type { Scenario } from '../load/context.js'
import { freshRoom } from '../load/context.js'
import {
  LatencyRecorder,
  serverPeakRssMb,
  serverRssKb,
  settle,
  sleep,
  until,
} from '../load/measure.js'
import { readFirstStructId } from '../protocols.js'

const drainTimeoutMs = 3000

/** Runs the many-rooms scenario. */
export const manyRooms: Scenario = async (context, params) => {
  const { rooms = 1000, durationMs = 8000 } = params
  const server = context.server()
  await settle(server.pid)
  const baselineKb = serverRssKb(server.pid)
  const sentAt = new Map<string, number>()
  const latency = new LatencyRecorder()
  // The reference server echoes an update to its sender too; only the peer's copy is a delivery.
  const receiverFor =
    (doc: Y.Doc) =>
    (update: Uint8Array): void => {
      const id = readFirstStructId(update)
      if (!id || id.client === doc.clientID) return
      const sent = sentAt.get(`${id.client}:${id.clock}`)
      if (sent !== undefined) latency.record(performance.now() - sent)
    }
  const docs = Array.from({ length: rooms * 2 }, () => new Y.Doc())
  const prefix = freshRoom('rooms')
  const clients = await openAll(
    docs.map((doc, i) => ({ doc, room: `${prefix}-${i >> 1}` })),
    100,
    ({ doc, room }) => new BenchClient(context.target(), room, { doc, onUpdate: receiverFor(doc) }),
  )
  await settle(server.pid)
  const window = context.openWindow()
  let sent = 0
  const edit = (doc: Y.Doc): void => {
    sentAt.set(`${doc.clientID}:${Y.getState(doc.store, doc.clientID)}`, performance.now())
    doc.getText('text').insert(0, 'edit ')
    sent++
  }
  // Each client edits once a second, the clients spread evenly over the second.
  const timers: NodeJS.Timeout[] = []
  docs.forEach((doc, i) => {
    const first = setTimeout(
      () => {
        edit(doc)
        timers.push(setInterval(() => edit(doc), 1000))
      },
      (i / docs.length) * 1000,
    )
    timers.push(first)
  })
  await sleep(durationMs)
  for (const timer of timers) clearTimeout(timer)
  await until(() => latency.count >= sent, drainTimeoutMs)
  const { serverCpuMs, load, span } = window.close()
  const openKb = serverRssKb(server.pid)
  await context.takeHeapSnapshot()
  await closeAll(clients)
  return {
    figures: {
      cpuUsPerDelivery: latency.count > 0 ? (serverCpuMs * 1000) / latency.count : null,
      ...latency.summary(),
      lossPct: sent > 0 ? ((sent - latency.count) / sent) * 100 : null,
      rssKbPerRoom: (openKb - baselineKb) / rooms,
      peakRssMb: serverPeakRssMb(server.pid),
    },
    load,
    span,
  }
}
