// The figures of the collaboration server issue, measured against real server processes:
// cold-load sync time of the trace document, relay latency in a 50-client room with and without
// write-before-relay, and RSS per idle connection with 5,000 connections.
// Usage: node --import tsx bench/figures/server-figures.ts [--connections 5000] [--rounds 5]
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { readClientMessage, writeSyncStep1 } from '../../protocol/message.js'
import { applyTraceTransaction, loadTrace } from '../../test/helpers/trace.js'
import { until } from '../../test/helpers/until.js'

const { values: options } = parseArgs({
  options: {
    connections: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '5' },
    updates: { type: 'string', default: '600' },
  },
})

interface ServerHandle {
  child: ChildProcess
  url: string
  stop(): Promise<void>
}

async function startServer(
  mode: 'durable' | 'relay-first',
  directory: string,
): Promise<ServerHandle> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/figures/figure-server.ts', mode, directory],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string]
  const { port } = JSON.parse(line) as { port: number }
  return {
    child,
    url: `ws://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}

function provider(url: string, room: string, doc = new Y.Doc()): WebsocketProvider {
  return new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  })
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
const median = (values: number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  )

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024
}

/** Time from connect to holding the full trace text, the server loading it cold each round. */
async function coldLoad(directory: string, rounds: number): Promise<void> {
  const trace = loadTrace()
  const seedDoc = new Y.Doc()
  for (const transaction of trace.txns) applyTraceTransaction(seedDoc.getText('text'), transaction)
  let server = await startServer('durable', directory)
  const seeder = provider(server.url, 'paper', seedDoc)
  await until(() => seeder.synced, { what: 'the seeder to sync' })
  const check = provider(server.url, 'paper')
  await until(() => check.doc.getText('text').length === trace.endContent.length, {
    timeoutMs: 30_000,
    what: 'the seed to be stored',
  })
  seeder.destroy()
  check.destroy()
  await server.stop()

  const timesMs: number[] = []
  for (let round = 0; round < rounds; round++) {
    server = await startServer('durable', directory)
    const started = performance.now()
    const fresh = provider(server.url, 'paper')
    await until(
      () => fresh.synced && fresh.doc.getText('text').length === trace.endContent.length,
      {
        intervalMs: 1,
        timeoutMs: 30_000,
        what: 'the fresh client to hold the trace',
      },
    )
    timesMs.push(performance.now() - started)
    if (fresh.doc.getText('text').toString() !== trace.endContent)
      throw new Error('cold load returned the wrong text')
    fresh.destroy()
    await server.stop()
  }
  console.log(
    `cold load of the trace document (${trace.endContent.length} characters), connect → synced with full text:`,
  )
  console.log(
    `  rounds ${rounds}: min ${Math.min(...timesMs).toFixed(1)} ms, median ${median(timesMs).toFixed(1)} ms, max ${Math.max(...timesMs).toFixed(1)} ms`,
  )
}

/** Relay latency of a writer's updates to 49 other clients in one room. */
async function relayLatency(
  mode: 'durable' | 'relay-first',
  directory: string,
  updates: number,
): Promise<void> {
  const server = await startServer(mode, directory)
  const clients = Array.from({ length: 50 }, () => provider(server.url, 'fan-out'))
  await until(() => clients.every((client) => client.synced), { what: 'all clients to sync' })
  const latenciesMs: number[] = []
  for (const client of clients.slice(1)) {
    const map = client.doc.getMap<number>('clock')
    map.observe(() => latenciesMs.push(performance.now() - map.get('sentAt')!))
  }
  const writerMap = clients[0]!.doc.getMap<number>('clock')
  for (let i = 0; i < updates; i++) {
    writerMap.set('sentAt', performance.now())
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  await until(() => latenciesMs.length >= updates * 49 * 0.999, {
    timeoutMs: 30_000,
    what: 'deliveries',
  })
  const sorted = [...latenciesMs].sort((a, b) => a - b)
  console.log(`relay latency, 50 clients in one room, ${updates} updates at ~100/s, ${mode}:`)
  console.log(
    `  deliveries ${sorted.length}: p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms, max ${sorted.at(-1)!.toFixed(2)} ms`,
  )
  for (const client of clients) client.destroy()
  await server.stop()
}

/** Server RSS per idle connection: raw clients that completed sync and then stay silent. */
async function idleConnections(directory: string, count: number): Promise<void> {
  const server = await startServer('durable', directory)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const before = await rssBytes(server.child.pid!)
  const sockets: WebSocket[] = []
  let synced = 0
  const rooms = Math.max(1, Math.floor(count / 10))
  for (let i = 0; i < count; i++) {
    const socket = new WebSocket(`${server.url}/idle-${i % rooms}`)
    socket.on('open', () => socket.send(writeSyncStep1(Y.encodeStateVector(new Y.Doc()))))
    socket.on('message', (data: Buffer) => {
      if (readClientMessage(data).kind === 'syncStep2') synced++
    })
    sockets.push(socket)
    if (i % 200 === 199)
      await until(() => synced > i - 200, { timeoutMs: 30_000, what: 'connections to sync' })
  }
  await until(() => synced === count, { timeoutMs: 60_000, what: 'every connection to sync' })
  await new Promise((resolve) => setTimeout(resolve, 2000))
  const after = await rssBytes(server.child.pid!)
  console.log(`idle connections: ${count} synced connections over ${rooms} rooms:`)
  console.log(
    `  server RSS ${(before / 2 ** 20).toFixed(1)} MiB → ${(after / 2 ** 20).toFixed(1)} MiB, ${((after - before) / count / 1024).toFixed(2)} KiB per connection`,
  )
  for (const socket of sockets) socket.terminate()
  await server.stop()
}

const directory = await mkdtemp(join(tmpdir(), 'collab-figures-'))
try {
  await coldLoad(join(directory, 'cold'), Number(options.rounds))
  for (const mode of ['durable', 'relay-first', 'durable', 'relay-first'] as const) {
    await relayLatency(mode, join(directory, `latency-${mode}`), Number(options.updates))
  }
  await idleConnections(join(directory, 'idle'), Number(options.connections))
} finally {
  await rm(directory, { recursive: true, force: true })
}
process.exit(0)
