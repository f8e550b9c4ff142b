import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createPrometheusMetrics } from '../../metrics/prometheus.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { requestUpgrade } from '../helpers/http.js'
import { type Exposition, parseExposition } from '../../bench/dashboard/prometheus-text.js'
import { startServer } from '../helpers/start-server.js'
import { until } from '../helpers/until.js'

/** The value of the sample `name` with exactly these labels (0 when it is absent). */
function valueOf(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number {
  const wanted = Object.entries(labels)
  const sample = exposition.samples.find(
    (candidate) =>
      candidate.name === name &&
      Object.keys(candidate.labels).length === wanted.length &&
      wanted.every(([key, value]) => candidate.labels[key] === value),
  )
  return sample?.value ?? 0
}

async function scrape(port: number): Promise<{ text: string; metrics: Exposition }> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`)
  assert.equal(response.status, 200)
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
  const text = await response.text()
  return { text, metrics: parseExposition(text) }
}

test('GET /metrics follows connections, messages, latencies and refusals under a scripted load, in valid Prometheus text', async (t) => {
  const server = await startServer(t, { metrics: createPrometheusMetrics() })
  const document = 'quarterly-report-of-alice'
  const before = await scrape(server.port)
  for (const [name, type] of [
    ['collab_connections', 'gauge'],
    ['collab_documents_open', 'gauge'],
    ['collab_messages_received_total', 'counter'],
    ['collab_messages_sent_total', 'counter'],
    ['collab_store_append_seconds', 'histogram'],
    ['collab_relay_seconds', 'histogram'],
    ['collab_store_compaction_seconds', 'histogram'],
    ['collab_upgrades_refused_total', 'counter'],
    ['collab_connections_closed_total', 'counter'],
    ['collab_awareness_states', 'gauge'],
    ['collab_nodejs_eventloop_lag_p99_seconds', 'gauge'],
    ['collab_process_resident_memory_bytes', 'gauge'],
  ]) {
    assert.equal(before.metrics.families.get(name!), type, `${name} is a ${type}`)
  }
  assert.equal(valueOf(before.metrics, 'collab_connections'), 0)

  const a = connectProvider(t, server.url, document)
  const b = connectProvider(t, server.url, document)
  await Promise.all([waitSynced(a), waitSynced(b)])
  a.awareness.setLocalStateField('user', { name: 'Alice' })
  b.awareness.setLocalStateField('user', { name: 'Bob' })
  for (let i = 0; i < 20; i++) a.doc.getText('text').insert(0, 'x')
  await until(() => b.doc.getText('text').length === 20, { what: 'the edits to reach b' })
  await until(
    async () => valueOf((await scrape(server.port)).metrics, 'collab_awareness_states') === 2,
    {
      what: 'both awareness states to be counted',
    },
  )

  const during = (await scrape(server.port)).metrics
  assert.equal(valueOf(during, 'collab_connections'), 2)
  assert.equal(valueOf(during, 'collab_documents_open'), 1)
  const updatesIn = valueOf(during, 'collab_messages_received_total', { type: 'sync_update' })
  assert.ok(updatesIn >= 1 && updatesIn <= 20, `${updatesIn} updates received`)
  assert.ok(
    valueOf(during, 'collab_messages_sent_total', { type: 'sync_update' }) >= updatesIn,
    'each update was relayed to the other client',
  )
  assert.ok(valueOf(during, 'collab_messages_received_total', { type: 'sync_step1' }) >= 2)
  assert.ok(valueOf(during, 'collab_received_bytes_total', { type: 'sync_update' }) > 0)
  assert.equal(valueOf(during, 'collab_relay_seconds_count'), updatesIn)
  assert.equal(valueOf(during, 'collab_store_append_seconds_count'), updatesIn)
  assert.equal(
    valueOf(during, 'collab_relay_seconds_bucket', { le: '+Inf' }),
    updatesIn,
    'every relay falls in a bucket',
  )

  const refused = await requestUpgrade(server.port, '/bad%00name')
  assert.equal(refused.status, 400)
  a.destroy()
  b.destroy()
  await until(
    async () => valueOf((await scrape(server.port)).metrics, 'collab_connections') === 0,
    {
      what: 'the connections to be gone',
    },
  )
  await server.events.waitFor('unloaded', document)

  const { text, metrics: after } = await scrape(server.port)
  assert.equal(valueOf(after, 'collab_documents_open'), 0)
  assert.equal(valueOf(after, 'collab_awareness_states'), 0)
  assert.equal(
    valueOf(after, 'collab_upgrades_refused_total', { reason: 'COLLAB_BAD_DOCUMENT_NAME' }),
    1,
  )
  const closed = after.samples
    .filter((sample) => sample.name === 'collab_connections_closed_total')
    .reduce((sum, sample) => sum + sample.value, 0)
  assert.equal(closed, 2)
  assert.ok(valueOf(after, 'collab_store_compaction_seconds_count') >= 1, 'the unload compacted')
  assert.ok(!text.includes(document), 'no label carries a document name')
  assert.ok(!/Alice|Bob/.test(text), 'no label carries a user name')
})

test('without metrics, GET /metrics is 404', async (t) => {
  const server = await startServer(t)
  const response = await fetch(`http://127.0.0.1:${server.port}/metrics`)
  assert.equal(response.status, 404)
  assert.equal(((await response.json()) as { error: string }).error, 'COLLAB_NOT_FOUND')
})
