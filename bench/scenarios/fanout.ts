// Fan-out: one writer in a room sends small edits at a fixed rate to many light receivers.
// Params: rate (updates/s), receivers, durationMs.
import * as Y from 'yjs'
import { BenchClient, closeAll, openAll } from '../load/client.js'
import type { Scenario } from '../load/context.js'
import { freshRoom } from '../load/context.js'
import { LatencyRecorder, paced, serverPeakRssMb, settle, until } from '../load/measure.js'
import { readFirstStructId } from '../protocols.js'

const drainTimeoutMs = 3000

/** Runs the fan-out scenario. */
export const fanout: Scenario = async (context, params) => {
  const { rate = 50, receivers = 10, durationMs = 5000 } = params
  const server = context.server()
  const room = freshRoom('fanout')
  const doc = new Y.Doc()
  const text = doc.getText('text')
  const sentAt = new Map<number, number>()
  const latency = new LatencyRecorder()
  const onUpdate = (update: Uint8Array): void => {
    const id = readFirstStructId(update)
    const sent = id && id.client === doc.clientID ? sentAt.get(id.clock) : undefined
    if (sent !== undefined) latency.record(performance.now() - sent)
  }
  const writer = new BenchClient(context.target(), room, { doc })
  await writer.synced
  const listeners = await openAll(
    Array.from({ length: receivers }),
    50,
    () => new BenchClient(context.target(), room, { onUpdate }),
  )
  await settle(server.pid)
  const window = context.openWindow()
  const sent = await paced(rate, durationMs, (i) => {
    sentAt.set(Y.getState(doc.store, doc.clientID), performance.now())
    text.insert(text.length, `${i % 10}abcdefg`)
  })
  const expected = sent * receivers
  await until(() => latency.count >= expected, drainTimeoutMs)
  const { serverCpuMs, load, span } = window.close()
  await closeAll([writer, ...listeners])
  return {
    figures: {
      cpuUsPerDelivery: latency.count > 0 ? (serverCpuMs * 1000) / latency.count : null,
      ...latency.summary(),
      lossPct: ((expected - latency.count) / expected) * 100,
      peakRssMb: serverPeakRssMb(server.pid),
    },
    load,
    span,
  }
}
