// The figures of the operations issue, against the built server command: how long a drain takes
// from SIGTERM to exit with 1,000 connected clients (each document edited, so that each must be
// written), and how long after the debounce a webhook call arrives.
// Usage: node scripts/build.mjs && node --import tsx bench/figures/operations-figures.ts
//          [--cli dist/cli.js] [--clients 1000] [--rooms 100] [--calls 10]
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import * as Y from 'yjs'
import { writeSyncUpdate } from '../../protocol/message.js'
import { until } from '../../test/helpers/until.js'
import { verifySignature } from '../../webhooks/signature.js'
import { SyncClient } from './hostile/connection.js'
import { startServerProcess } from './hostile/server-process.js'
import { startWebhookReceiver } from '../webhook-receiver.js'

const { values: options } = parseArgs({
  options: {
    cli: { type: 'string', default: 'dist/cli.js' },
    clients: { type: 'string', default: '1000' },
    rooms: { type: 'string', default: '100' },
    calls: { type: 'string', default: '10' },
  },
})
const secret = 'figures-webhook-secret-0123456789'
const debounceMs = 2_000

/** An edit of `client`'s document as one update, sent as a sync update frame. */
async function sendEdit(client: SyncClient, text: string): Promise<void> {
  const before = Y.encodeStateVector(client.doc)
  client.doc.getText('text').insert(0, text)
  await client.connection.send(writeSyncUpdate(Y.encodeStateAsUpdate(client.doc, before)))
}

async function drainFigure(clientCount: number, roomCount: number, drainDelayMs: number) {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'ops-figures-'))
  try {
    const server = await startServerProcess(options.cli, dataDirectory, [
      '--drain-delay-ms',
      String(drainDelayMs),
      '--max-connections',
      String(clientCount + 100),
    ])
    const clients: SyncClient[] = []
    for (let i = 0; i < clientCount; i++) {
      clients.push(await SyncClient.connect(server.url, `drain-${i % roomCount}`))
    }
    await until(() => clients.every((client) => client.isSynced), {
      timeoutMs: 60_000,
      what: 'every client synced',
    })
    await Promise.all(clients.slice(0, roomCount).map((client, i) => sendEdit(client, `room ${i}`)))
    await until(() => clients.every((client) => client.doc.getText('text').length > 0), {
      timeoutMs: 60_000,
      what: 'every edit relayed',
    })
    const closes = clients.map((client) => client.connection.closed)
    const { exit, ms } = await server.stop(60_000)
    const codes = new Map<number, number>()
    for (const close of await Promise.all(closes)) {
      codes.set(close.code, (codes.get(close.code) ?? 0) + 1)
    }
    return { exit, ms, codes: [...codes].map(([code, count]) => `${count}× ${code}`).join(', ') }
  } finally {
    await rm(dataDirectory, { recursive: true, force: true })
  }
}

/** A receiver that notes when each call arrived and whether its signature verified. */
async function startReceiver() {
  const calls: Array<{ atMs: number; event: string; document: string; isSigned: boolean }> = []
  const receiver = await startWebhookReceiver(({ arrivedAtMs, headers, rawBody }) => {
    const payload = JSON.parse(rawBody) as { event: string; document: string }
    calls.push({
      atMs: arrivedAtMs,
      event: payload.event,
      document: payload.document,
      isSigned: verifySignature(secret, rawBody, String(headers['x-collab-signature'])),
    })
    return 200
  })
  return { calls, url: receiver.url, close: () => receiver.close() }
}

async function webhookFigure(callCount: number) {
  const receiver = await startReceiver()
  const dataDirectory = await mkdtemp(join(tmpdir(), 'ops-figures-'))
  try {
    const server = await startServerProcess(options.cli, dataDirectory, [
      '--webhook-url',
      receiver.url,
      '--webhook-secret',
      secret,
      '--webhook-debounce-ms',
      String(debounceMs),
      '--webhook-content',
      'markdown',
    ])
    const latencies: number[] = []
    for (let i = 0; i < callCount; i++) {
      const document = `hook-${i}`
      const client = await SyncClient.connect(server.url, document)
      await until(() => client.isSynced, { timeoutMs: 10_000, what: 'the client synced' })
      // A burst of 20 edits; the debounce runs from the last one.
      for (let edit = 0; edit < 20; edit++) await sendEdit(client, 'x')
      const lastEditAtMs = performance.now()
      const isChanged = (call: (typeof receiver.calls)[number]) =>
        call.event === 'document.changed' && call.document === document
      await until(() => receiver.calls.some(isChanged), {
        timeoutMs: 30_000,
        what: 'the webhook call',
      })
      latencies.push(receiver.calls.find(isChanged)!.atMs - lastEditAtMs - debounceMs)
      await client.connection.close()
    }
    await server.stop()
    const changed = receiver.calls.filter((call) => call.event === 'document.changed')
    latencies.sort((a, b) => a - b)
    return {
      latencies,
      callsPerBurst: changed.length / callCount,
      allSigned: receiver.calls.every((call) => call.isSigned),
    }
  } finally {
    await receiver.close()
    await rm(dataDirectory, { recursive: true, force: true })
  }
}

const clientCount = Number(options.clients)
const roomCount = Number(options.rooms)
console.log(`# Operations figures (${options.cli})\n`)
console.log(`## SIGTERM to exit, ${clientCount} clients in ${roomCount} edited documents\n`)
console.log('| --drain-delay-ms | SIGTERM → exit | exit | clients closed with |')
console.log('| --- | --- | --- | --- |')
for (const drainDelayMs of [0, 2_000]) {
  const result = await drainFigure(clientCount, roomCount, drainDelayMs)
  console.log(
    `| ${drainDelayMs} | ${Math.round(result.ms)} ms | ${result.exit} | ${result.codes} |`,
  )
}
const hooks = await webhookFigure(Number(options.calls))
const at = (fraction: number) =>
  hooks.latencies[
    Math.min(hooks.latencies.length - 1, Math.floor(fraction * hooks.latencies.length))
  ]!
console.log(`\n## Webhook delivery after the ${debounceMs} ms debounce (markdown content)\n`)
console.log(
  `${hooks.latencies.length} bursts of 20 edits: ${hooks.callsPerBurst} document.changed per burst; ` +
    `latency after the debounce p50 ${at(0.5).toFixed(1)} ms, max ${at(1).toFixed(1)} ms; ` +
    `every call signed: ${hooks.allSigned}`,
)
