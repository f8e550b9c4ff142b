// Evaluates the PromQL subset of promql-parser.ts over a SeriesStore, following Prometheus 3's own
// algorithms: left-open range windows, rate()'s extrapolation to the window's edges and its
// counter-reset correction, histogram_quantile()'s linear interpolation within a bucket.
import type { Expr, Matcher, Selector } from './promql-parser.js'
import type { Labels } from './prometheus-text.js'
import { pointsIn, valueAt } from './series-store.js'
import type { Point, SeriesStore, StoredSeries } from './series-store.js'

/**
 * One element of an instant vector. Its labels never include the metric name: no expression of
 * the subset needs it, and functions and aggregations drop it anyway.
 */
export interface VectorSample {
  readonly labels: Labels
  readonly value: number
}

/** A result series over a time range: its labels and one value per step (null: no value then). */
export interface RangeSeries {
  readonly labels: Labels
  readonly values: Array<number | null>
}

const labelsKey = (labels: Labels): string =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))

function matches(series: StoredSeries, matchers: readonly Matcher[]): boolean {
  return matchers.every(({ label, operator, value }) => {
    const actual = series.labels[label] ?? ''
    return operator === '=' ? actual === value : new RegExp(`^(?:${value})$`).test(actual)
  })
}

const selected = (store: SeriesStore, selector: Selector): StoredSeries[] =>
  store.seriesNamed(selector.name).filter((series) => matches(series, selector.matchers))

/**
 * rate() of one counter over the window (endMs − rangeMs, endMs]: the increase between its first
 * and last sample (plus the value before each reset), extrapolated towards the window's edges
 * (all the way if a sample lies within 1.1 average intervals of the edge, else half an interval,
 * and never below zero), per second of the window. Undefined with fewer than two samples.
 */
export function extrapolatedRate(
  points: readonly Point[],
  endMs: number,
  rangeMs: number,
): number | undefined {
  const first = points[0]
  const last = points[points.length - 1]
  if (!first || !last || points.length < 2) return undefined
  const firstValue = first.value ?? 0
  let increase = (last.value ?? 0) - firstValue
  for (let i = 1; i < points.length; i++) {
    const before = points[i - 1]?.value ?? 0
    if ((points[i]?.value ?? 0) < before) increase += before
  }
  const sampledSeconds = (last.atMs - first.atMs) / 1000
  const averageSeconds = sampledSeconds / (points.length - 1)
  const threshold = averageSeconds * 1.1
  let toStart = (first.atMs - (endMs - rangeMs)) / 1000
  let toEnd = (endMs - last.atMs) / 1000
  if (toStart >= threshold) toStart = averageSeconds / 2
  // A counter starts at zero: extrapolating back further would assume negative values.
  if (increase > 0 && firstValue >= 0) {
    toStart = Math.min(toStart, sampledSeconds * (firstValue / increase))
  }
  if (toEnd >= threshold) toEnd = averageSeconds / 2
  const factor = (sampledSeconds + toStart + toEnd) / sampledSeconds
  return (increase * factor) / (rangeMs / 1000)
}

/**
 * The `quantile` of one classic histogram from its cumulative buckets (`le` upper bound →
 * count): the bucket holding rank quantile × count, interpolated linearly within it (from 0 for
 * the first bucket); the highest finite bound when the rank falls in the +Inf bucket. NaN without
 * a +Inf bucket, with fewer than two buckets or with no observations.
 */
export function bucketQuantile(quantile: number, buckets: ReadonlyMap<number, number>): number {
  if (Number.isNaN(quantile)) return NaN
  if (quantile < 0) return -Infinity
  if (quantile > 1) return Infinity
  const sorted = [...buckets].sort(([a], [b]) => a - b)
  const lastBucket = sorted[sorted.length - 1]
  if (!lastBucket || lastBucket[0] !== Infinity || sorted.length < 2) return NaN
  // Counts scraped at slightly different moments may dip; Prometheus makes them monotonic.
  let highest = -Infinity
  const counts = sorted.map(([, count]) => (highest = Math.max(highest, count)))
  const observations = counts[counts.length - 1] ?? 0
  if (observations === 0) return NaN
  let rank = quantile * observations
  const index = counts.findIndex((count) => count >= rank)
  if (index === -1 || index === sorted.length - 1) return sorted[sorted.length - 2]?.[0] ?? NaN
  const upper = sorted[index]?.[0] ?? NaN
  if (index === 0 && upper <= 0) return upper
  let lower = 0
  let count = counts[index] ?? 0
  if (index > 0) {
    lower = sorted[index - 1]?.[0] ?? 0
    const below = counts[index - 1] ?? 0
    count -= below
    rank -= below
  }
  return lower + (upper - lower) * (rank / count)
}

function histogramQuantile(quantile: number, vector: VectorSample[]): VectorSample[] {
  const groups = new Map<string, { labels: Labels; buckets: Map<number, number> }>()
  for (const { labels, value } of vector) {
    const { le, ...rest } = labels
    if (le === undefined) continue
    const key = labelsKey(rest)
    const group = groups.get(key) ?? { labels: rest, buckets: new Map<number, number>() }
    const bound = le === '+Inf' ? Infinity : Number(le)
    group.buckets.set(bound, (group.buckets.get(bound) ?? 0) + value)
    groups.set(key, group)
  }
  return [...groups.values()].map(({ labels, buckets }) => ({
    labels,
    value: bucketQuantile(quantile, buckets),
  }))
}

function sum(by: readonly string[] | null, vector: VectorSample[]): VectorSample[] {
  const groups = new Map<string, { labels: Labels; value: number }>()
  for (const sample of vector) {
    const labels: Record<string, string> = {}
    for (const label of by ?? []) {
      const value = sample.labels[label]
      if (value !== undefined) labels[label] = value
    }
    const key = labelsKey(labels)
    const group = groups.get(key) ?? { labels, value: 0 }
    group.value += sample.value
    groups.set(key, group)
  }
  return [...groups.values()]
}

/** Evaluates `expr` at `atMs` (an instant query). */
export function evaluate(expr: Expr, store: SeriesStore, atMs: number): VectorSample[] {
  switch (expr.kind) {
    case 'selector':
      return selected(store, expr).flatMap((series) => {
        const value = valueAt(series, atMs)
        return value === undefined ? [] : [{ labels: series.labels, value }]
      })
    case 'rate':
      return selected(store, expr.selector).flatMap((series) => {
        const value = extrapolatedRate(pointsIn(series, atMs, expr.rangeMs), atMs, expr.rangeMs)
        return value === undefined ? [] : [{ labels: series.labels, value }]
      })
    case 'sum':
      return sum(expr.by, evaluate(expr.arg, store, atMs))
    case 'histogramQuantile':
      return histogramQuantile(expr.quantile, evaluate(expr.arg, store, atMs))
    case 'vector':
      return [{ labels: {}, value: expr.value }]
    case 'or': {
      const left = evaluate(expr.left, store, atMs)
      const taken = new Set(left.map((sample) => labelsKey(sample.labels)))
      const right = evaluate(expr.right, store, atMs)
      return [...left, ...right.filter((sample) => !taken.has(labelsKey(sample.labels)))]
    }
  }
}

/**
 * Evaluates `expr` at every step from `fromMs` to `toMs` (a range query, as Grafana issues one),
 * one RangeSeries per label set that had a value at any step.
 */
export function evaluateRange(
  expr: Expr,
  store: SeriesStore,
  fromMs: number,
  toMs: number,
  stepMs: number,
): RangeSeries[] {
  const steps = Math.floor((toMs - fromMs) / stepMs) + 1
  const result = new Map<string, RangeSeries>()
  for (let step = 0; step < steps; step++) {
    for (const { labels, value } of evaluate(expr, store, fromMs + step * stepMs)) {
      const key = labelsKey(labels)
      const series = result.get(key) ?? {
        labels,
        values: new Array<number | null>(steps).fill(null),
      }
      series.values[step] = value
      result.set(key, series)
    }
  }
  return [...result.values()]
}
