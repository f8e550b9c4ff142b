// A cluster when parts of it fail: kill -9 of the instance that owns a document in the middle of
// a stream of edits, and Redis killed and started again empty. Nothing that a client saw is lost,
// and the clients converge.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { connectProvider, waitSynced } from '../helpers/client.js'
import {
  type TestCluster,
  startCluster,
  waitForTexts,
  withClusterServices,
} from '../helpers/cluster.js'
import { postgresUrl } from '../helpers/postgres.js'
import { startOwnRedis } from '../helpers/redis.js'
import { TcpProxy } from '../helpers/tcp-proxy.js'
import { until } from '../helpers/until.js'

/** The markers (`w12;`) in a text. */
const markersOf = (doc: Y.Doc): Set<string> =>
  new Set(doc.getText('text').toString().split(';').filter(Boolean))

/** Writes a marker into `doc` every few milliseconds until stopped; returns how many it wrote. */
function writeStream(doc: Y.Doc, intervalMs = 15): { stop: () => number } {
  let written = 0
  const timer = setInterval(() => {
    doc.getText('text').insert(doc.getText('text').length, `w${written++};`)
  }, intervalMs)
  return {
    stop: () => {
      clearInterval(timer)
      return written
    },
  }
}

/** Everything an observer's document ever held, as it changed. */
function recordMarkers(doc: Y.Doc): Set<string> {
  const seen = new Set<string>()
  doc.on('update', () => {
    for (const marker of markersOf(doc)) seen.add(marker)
  })
  return seen
}

/** Joins `document` through `url` with a fresh client; resolves with its text once synced. */
async function freshText(t: TestContext, url: string, document: string): Promise<Y.Doc> {
  const doc = new Y.Doc()
  await waitSynced(connectProvider(t, url, document, doc), 20_000)
  return doc
}

async function openSynced(
  t: TestContext,
  cluster: TestCluster,
  instance: number,
  document: string,
): Promise<{ doc: Y.Doc; provider: WebsocketProvider }> {
  const doc = new Y.Doc()
  const provider = connectProvider(t, cluster.instances[instance]!.url, document, doc)
  await waitSynced(provider, 20_000)
  return { doc, provider }
}

await withClusterServices('cluster failures on PostgreSQL and Redis', () => {
  test('kill -9 of the owner mid-stream: its documents move, nothing an observer received is lost', async (t) => {
    const cluster = await startCluster(t, 3)
    // The first client makes instance 1 the owner; a writer on 2 and an observer on 3 are
    // forwarded to it.
    const onOwner = await openSynced(t, cluster, 0, 'stream')
    const writer = await openSynced(t, cluster, 1, 'stream')
    const observer = await openSynced(t, cluster, 2, 'stream')
    const seen = recordMarkers(observer.doc)
    const stream = writeStream(writer.doc)
    onOwner.doc.getText('text').insert(0, 'owner-client;')
    await until(() => seen.size >= 30, { what: 'the observer to receive 30 markers' })

    const killedAtMs = performance.now()
    cluster.instances[0]!.child.kill('SIGKILL')
    await cluster.instances[0]!.exited
    const seenAtKill = seen.size
    await until(() => seen.size >= seenAtKill + 20, {
      timeoutMs: 15_000,
      what: 'the stream to reach the observer again through a new owner',
    })
    const failoverMs = performance.now() - killedAtMs
    const written = stream.stop()

    // The client of the killed instance comes back through another one (a load balancer
    // would send it there) with what it holds.
    onOwner.provider.destroy()
    const returning = connectProvider(t, cluster.instances[1]!.url, 'stream', onOwner.doc)
    await waitSynced(returning, 20_000)

    const everyWrite = () => writer.doc.getText('text').toString()
    await waitForTexts([observer.doc, onOwner.doc], everyWrite, 'convergence after the failover')
    assert.equal(markersOf(writer.doc).size, written + 1)
    const fresh = await freshText(t, cluster.instances[2]!.url, 'stream')
    const stored = markersOf(fresh)
    for (const marker of seen) assert.ok(stored.has(marker), `${marker} was seen, then lost`)
    assert.ok(stored.has('owner-client'))
    t.diagnostic(`failover: ${Math.round(failoverMs)} ms from the kill to the stream flowing again`)
    assert.ok(failoverMs < 15_000, `failover took ${Math.round(failoverMs)} ms`)
  })

  test('Redis killed and started again empty mid-edit: the clients converge, nothing is lost', async (t) => {
    const redis = await startOwnRedis(t)
    const cluster = await startCluster(t, 2, { redis: redis.url })
    const owner = await openSynced(t, cluster, 0, 'bus-restart')
    const writer = await openSynced(t, cluster, 1, 'bus-restart')
    const seen = recordMarkers(owner.doc)
    const stream = writeStream(writer.doc)
    await until(() => seen.size >= 20, { what: 'the stream to reach the owner' })

    await redis.kill()
    const readyz = `http://127.0.0.1:${cluster.instances[1]!.port}/readyz`
    await until(
      async () => {
        const response = await fetch(readyz)
        const body = (await response.json()) as { status: string }
        return response.status === 503 && body.status === 'cluster-degraded'
      },
      { what: '/readyz to report the degraded cluster' },
    )
    // The owner's own clients keep editing: its document is open there.
    owner.doc.getText('text').insert(0, 'during-outage;')
    const stored = await freshText(t, cluster.instances[0]!.url, 'bus-restart')
    await until(() => markersOf(stored).has('during-outage'), {
      what: 'an edit on the owner while Redis is down',
    })

    await redis.start()
    await until(async () => (await fetch(readyz)).status === 200, {
      timeoutMs: 20_000,
      what: '/readyz to be ready again',
    })
    const seenBefore = seen.size
    await until(() => seen.size >= seenBefore + 10, {
      timeoutMs: 20_000,
      what: 'the stream to flow again after Redis came back',
    })
    const written = stream.stop()
    const everyWrite = () => writer.doc.getText('text').toString()
    await waitForTexts([owner.doc], everyWrite, 'convergence after the restart')
    assert.equal(markersOf(writer.doc).size, written + 1)
    const fresh = await freshText(t, cluster.instances[1]!.url, 'bus-restart')
    assert.equal(fresh.getText('text').toString(), everyWrite())
  })

  test('PostgreSQL unreachable mid-edit: nothing is relayed unstored, and the clients recover when it returns', async (t) => {
    const target = new URL(postgresUrl)
    const proxy = await TcpProxy.start(t, {
      host: target.hostname,
      port: Number(target.port || 5432),
    })
    const throughProxy = new URL(postgresUrl)
    throughProxy.port = String(proxy.port)
    const cluster = await startCluster(t, 2, { postgres: throughProxy.toString() })
    const owner = await openSynced(t, cluster, 0, 'store-outage')
    const writer = await openSynced(t, cluster, 1, 'store-outage')
    const seen = recordMarkers(owner.doc)
    const stream = writeStream(writer.doc)
    await until(() => seen.size >= 20, { what: 'the stream to reach the owner' })

    await proxy.refuse()
    const healthz = `http://127.0.0.1:${cluster.instances[0]!.port}/healthz`
    await until(
      async () =>
        ((await (await fetch(healthz)).json()) as { status: string }).status === 'store-failing',
      { what: 'the owner to see the store failing' },
    )
    const writtenDuringOutage = markersOf(writer.doc).size
    await proxy.restore()
    await until(() => seen.size > writtenDuringOutage, {
      timeoutMs: 30_000,
      what: 'what was written during the outage to reach the owner once PostgreSQL is back',
    })
    const written = stream.stop()
    const everyWrite = () => writer.doc.getText('text').toString()
    await waitForTexts([owner.doc], everyWrite, 'convergence after the outage', 30_000)
    assert.equal(markersOf(writer.doc).size, written)
    const stored = markersOf(await freshText(t, cluster.instances[1]!.url, 'store-outage'))
    for (const marker of seen) assert.ok(stored.has(marker), `${marker} was relayed, then lost`)
    assert.equal(stored.size, written)
  })
})
