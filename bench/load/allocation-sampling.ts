// Samples our server's allocations over a measurement window through its inspector (Chrome
// DevTools Protocol, HeapProfiler domain), counting objects the GC has already collected too.
import WebSocket from 'ws'

/** Sampling under way in a server process; `stop` returns the sampled allocation profile. */
export interface AllocationSampling {
  stop(): Promise<unknown>
}

const samplingIntervalBytes = 16 * 1024

/** Connects to the inspector on loopback `port` and starts sampling. */
export async function startAllocationSampling(port: number): Promise<AllocationSampling> {
  const response = await fetch(`http://127.0.0.1:${port}/json/list`)
  const [target] = (await response.json()) as Array<{ webSocketDebuggerUrl: string }>
  if (!target) throw new Error(`no inspector target on port ${port}`)
  const socket = new WebSocket(target.webSocketDebuggerUrl, { perMessageDeflate: false })
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  const replies = new Map<number, (result: unknown) => void>()
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as { id?: number; result?: unknown }
    if (message.id === undefined) return
    replies.get(message.id)?.(message.result)
    replies.delete(message.id)
  })
  let lastId = 0
  const call = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve) => {
      const id = ++lastId
      replies.set(id, resolve)
      socket.send(JSON.stringify({ id, method, params }))
    })
  await call('HeapProfiler.startSampling', {
    samplingInterval: samplingIntervalBytes,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  })
  return {
    async stop() {
      const result = (await call('HeapProfiler.stopSampling')) as { profile: unknown }
      socket.close()
      return result.profile
    },
  }
}
