import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { readDashboard } from '../../bench/dashboard/dashboard-model.js'
import { panelSeries } from '../../bench/dashboard/panel-data.js'
import { parseExposition } from '../../bench/dashboard/prometheus-text.js'
import {
  bucketQuantile,
  evaluate,
  extrapolatedRate,
} from '../../bench/dashboard/promql-evaluator.js'
import { parsePromql } from '../../bench/dashboard/promql-parser.js'
import { SeriesStore } from '../../bench/dashboard/series-store.js'
import type { Scrape } from '../../bench/dashboard/series-store.js'
import { createPrometheusMetrics } from '../../metrics/prometheus.js'
import { startServer } from '../helpers/start-server.js'

const dashboardJson = JSON.parse(readFileSync('docs/grafana-dashboard.json', 'utf8')) as Record<
  string,
  unknown
>

/** Scrapes `secondsApart` seconds apart, each exposition written by `text(index)`. */
function scrapes(count: number, secondsApart: number, text: (index: number) => string): Scrape[] {
  return Array.from({ length: count }, (_, index) => ({
    atMs: index * secondsApart * 1000,
    exposition: parseExposition(text(index)),
  }))
}

function query(store: SeriesStore, expr: string, atSeconds: number) {
  return evaluate(parsePromql(expr), store, atSeconds * 1000)
}

const point = (atSeconds: number, value: number) => ({ atMs: atSeconds * 1000, value })

function assertClose(actual: number | undefined, expected: number): void {
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) < 1e-9,
    `${actual} is not ${expected}`,
  )
}

test('reads samples, escaped label values, special values and families from an exposition', () => {
  const exposition = parseExposition(
    [
      '# HELP collab_relay_seconds Relay time',
      '# TYPE collab_relay_seconds histogram',
      'collab_relay_seconds_bucket{le="0.005"} 3',
      'collab_relay_seconds_bucket{le="+Inf"} 4',
      'collab_relay_seconds_sum 0.0125',
      '# TYPE odd gauge',
      'odd{path="a\\\\b",quote="say \\"hi\\"",line="one\\ntwo",} +Inf 1700000000000',
      'odd{kind="missing"} Nan',
      'odd{kind="small"} -1.5e-3',
      '',
    ].join('\n'),
  )
  assert.deepEqual(
    [...exposition.families],
    [
      ['collab_relay_seconds', 'histogram'],
      ['odd', 'gauge'],
    ],
  )
  assert.deepEqual(exposition.samples.slice(0, 3), [
    { name: 'collab_relay_seconds_bucket', labels: { le: '0.005' }, value: 3 },
    { name: 'collab_relay_seconds_bucket', labels: { le: '+Inf' }, value: 4 },
    { name: 'collab_relay_seconds_sum', labels: {}, value: 0.0125 },
  ])
  assert.deepEqual(exposition.samples[3], {
    name: 'odd',
    labels: { path: 'a\\b', quote: 'say "hi"', line: 'one\ntwo' },
    value: Infinity,
  })
  assert.ok(Number.isNaN(exposition.samples[4]?.value))
  assert.equal(exposition.samples[5]?.value, -0.0015)
})

test('refuses a malformed sample line, naming the line', () => {
  assert.throws(() => parseExposition('ok 1\nbad{le="1} 2'), /line 2: expected a closing quote/)
  assert.throws(() => parseExposition('ok 1\n\nbad twelve'), /line 3: "twelve" is not a sample/)
  assert.throws(() => parseExposition('{le="1"} 2'), /line 1: expected a metric name/)
})

test('rate() extrapolates to the window edge a sample lies close to, as Prometheus does', () => {
  // Samples 15 s apart at 15…60 s in the window (0 s, 60 s]: 45 more over 45 s, extrapolated by
  // the 15 s to the window's start (not further: at 15 s/s the counter was 0 then).
  const steady = [point(15, 15), point(30, 30), point(45, 45), point(60, 60)]
  assertClose(extrapolatedRate(steady, 60_000, 60_000), 1)
  // A reset after 20 adds the 20 counted before it: 5 + 15 + … = 25 over 45 s, × 60/45, / 60 s.
  const reset = [point(15, 10), point(30, 20), point(45, 5), point(60, 15)]
  assertClose(extrapolatedRate(reset, 60_000, 60_000), 25 / 45)
  // A series that starts 40 s into the window is extrapolated by half an interval only:
  // 20 over 20 s, × (20 + 2.5) / 20, / 60 s.
  const late = [point(40, 100), point(45, 105), point(50, 110), point(55, 115), point(60, 120)]
  assertClose(extrapolatedRate(late, 60_000, 60_000), 0.375)
  assert.equal(extrapolatedRate([point(60, 5)], 60_000, 60_000), undefined)
})

test('rate() over scraped counters: left-open windows, one result per series', () => {
  const store = new SeriesStore(
    scrapes(5, 15, (i) => `requests_total{type="a"} ${15 * i}\nrequests_total{type="b"} ${30 * i}`),
    { instance: 'node-1:80' },
  )
  const rates = query(store, 'rate(requests_total[1m])', 60)
  assert.deepEqual(
    rates.map(({ labels, value }) => [labels.type, labels.instance, value]),
    [
      ['a', 'node-1:80', 1],
      ['b', 'node-1:80', 2],
    ],
  )
  // The sample at 0 s lies outside (0 s, 60 s]; with only the one at 15 s, there is no rate.
  assert.deepEqual(query(store, 'rate(requests_total[15s])', 15), [])
})

test('sum by keeps only the grouping labels; sum alone adds everything', () => {
  const store = new SeriesStore(
    scrapes(
      1,
      1,
      () => 'conns{type="a",node="1"} 2\nconns{type="a",node="2"} 3\nconns{type="b",node="1"} 10\n',
    ),
    {},
  )
  assert.deepEqual(query(store, 'sum by (type) (conns)', 0), [
    { labels: { type: 'a' }, value: 5 },
    { labels: { type: 'b' }, value: 10 },
  ])
  assert.deepEqual(query(store, 'sum(conns) by (node)', 0), [
    { labels: { node: '1' }, value: 12 },
    { labels: { node: '2' }, value: 3 },
  ])
  assert.deepEqual(query(store, 'sum(conns{type=~"a|c"})', 0), [{ labels: {}, value: 5 }])
  // Regex matchers are anchored: "b." matches no "b".
  assert.deepEqual(query(store, 'sum(conns{type=~"b."})', 0), [])
  assert.deepEqual(query(store, 'sum(missing) or vector(0)', 0), [{ labels: {}, value: 0 }])
})

test('histogram_quantile interpolates within the bucket holding the rank', () => {
  const buckets = new Map([
    [0.1, 10],
    [0.5, 30],
    [1, 40],
    [Infinity, 40],
  ])
  // Rank 20 falls in (0.1, 0.5], which holds ranks 10…30: halfway.
  assertClose(bucketQuantile(0.5, buckets), 0.3)
  // Rank 39.6 falls in (0.5, 1], ranks 30…40: 96% of the way.
  assertClose(bucketQuantile(0.99, buckets), 0.98)
  // Within the first bucket, from 0.
  assertClose(bucketQuantile(0.05, buckets), 0.02)
  // In the +Inf bucket: the highest finite bound.
  assert.equal(
    bucketQuantile(
      0.9,
      new Map([
        [0.1, 10],
        [Infinity, 20],
      ]),
    ),
    0.1,
  )
  assert.ok(
    Number.isNaN(
      bucketQuantile(
        0.5,
        new Map([
          [0.1, 0],
          [Infinity, 0],
        ]),
      ),
    ),
  )
  assert.ok(Number.isNaN(bucketQuantile(0.5, new Map([[0.1, 5]]))))
})

test('histogram_quantile over the rate of two instances’ buckets, summed by le', () => {
  // Every 15 s, instance a observes 1 in (0, 0.1], 2 in (0.1, 0.5] and 1 in (0.5, 1]; instance b
  // 3, 2 and 3: together 4, 4 and 4, so ranks 8…12 lie in (0.5, 1].
  const cumulative = { a: [1, 3, 4, 4], b: [3, 5, 8, 8] }
  const store = new SeriesStore(
    scrapes(5, 15, (i) =>
      Object.entries(cumulative)
        .flatMap(([instance, counts]) =>
          ['0.1', '0.5', '1', '+Inf'].map(
            (le, slot) =>
              `relay_seconds_bucket{instance="${instance}",le="${le}"} ${(counts[slot] ?? 0) * i}`,
          ),
        )
        .join('\n'),
    ),
    {},
  )
  const [p75] = query(
    store,
    'histogram_quantile(0.75, sum by (le) (rate(relay_seconds_bucket[1m])))',
    60,
  )
  // Rank 9 of 12: a quarter of the way through (0.5, 1].
  assertClose(p75?.value, 0.625)
  assert.deepEqual(p75?.labels, {})
  // Alone, a's rank 3 of 4 ends (0.1, 0.5]; b's rank 6 of 8 is a third into (0.5, 1].
  const perInstance = query(store, 'histogram_quantile(0.75, rate(relay_seconds_bucket[1m]))', 60)
  assert.deepEqual(
    perInstance.map(({ labels, value }) => [labels.instance, Number(value.toFixed(9))]),
    [
      ['a', 0.5],
      ['b', Number((0.5 + 0.5 / 3).toFixed(9))],
    ],
  )
})

test('a series missing from a scrape is stale from then on', () => {
  const store = new SeriesStore(
    scrapes(3, 1, (i) => (i === 1 ? 'up 1\n' : 'up 1\ngone 7\n')),
    {},
  )
  assert.deepEqual(query(store, 'gone', 0), [{ labels: {}, value: 7 }])
  assert.deepEqual(query(store, 'gone', 1.5), [])
  assert.deepEqual(query(store, 'gone', 2), [{ labels: {}, value: 7 }])
})

test('refuses PromQL beyond the subset', () => {
  assert.throws(() => parsePromql('avg(up)'), SyntaxError)
  assert.throws(() => parsePromql('irate(up[1m])'), SyntaxError)
  assert.throws(() => parsePromql('up{job!="x"}'), SyntaxError)
  assert.throws(() => parsePromql('up / 2'), SyntaxError)
})

test('the Grafana dashboard asks for its datasource and filters by instance', () => {
  assert.equal(dashboardJson.title, 'Collab server')
  assert.equal(dashboardJson.uid, 'collab-server')
  assert.equal(dashboardJson.schemaVersion, 39)
  assert.deepEqual(
    (dashboardJson.__inputs as Array<Record<string, string>>).map(({ name, pluginId }) => [
      name,
      pluginId,
    ]),
    [['DS_PROMETHEUS', 'prometheus']],
  )
  const [variable] = (dashboardJson.templating as { list: Array<Record<string, unknown>> }).list
  assert.equal(variable?.name, 'instance')
  assert.equal(variable?.definition, 'label_values(collab_connections, instance)')
  const dashboard = readDashboard(dashboardJson)
  for (const panel of dashboard.panels) {
    if (panel.type !== 'timeseries') continue
    for (const { expr } of panel.targets) assert.match(expr, /instance=~"\$instance"/, panel.title)
  }
})

test('every panel of the dashboard queries metrics a running server exports', async (t) => {
  const noDeliveries = { delivered: 0, retried: 0, failed: 0, dropped: 0, queued: 0 }
  const server = await startServer(t, {
    metrics: createPrometheusMetrics({ webhookCounts: () => noDeliveries }),
  })
  const scraped: Scrape[] = []
  for (let i = 0; i < 2; i++) {
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`)
    scraped.push({ atMs: i * 1000, exposition: parseExposition(await response.text()) })
  }
  const store = new SeriesStore(scraped, { instance: `127.0.0.1:${server.port}` })
  const dashboard = readDashboard(dashboardJson)
  const panels = dashboard.panels.filter((panel) => panel.type === 'timeseries')
  const range = { fromMs: 0, toMs: 1000, stepMs: 1000 }
  assert.ok(panels.length >= 15, `${panels.length} panels`)
  for (const panel of panels) {
    // Throws for a query outside the subset or naming a metric the server does not export.
    assert.doesNotThrow(() => panelSeries(panel, store, dashboard.variables, range), panel.title)
  }
  const [first] = panels
  assert.ok(first)
  const misnamed = { ...first, targets: [{ expr: 'sum(collab_connection)', legendFormat: '' }] }
  assert.throws(
    () => panelSeries(misnamed, store, dashboard.variables, range),
    /the server exports no metric collab_connection$/,
  )
})
