// The scraped samples as time series, the way Prometheus stores them: one series per metric name
// and label set, target labels (instance, job) added at ingestion, and a staleness marker where a
// series that was in one scrape is missing from the next.
import type { Exposition, Labels } from './prometheus-text.js'

/** One point of a series; `value` is null for a staleness marker. */
export interface Point {
  readonly atMs: number
  readonly value: number | null
}

/** A series: its metric name, its labels (target labels included) and its points in time order. */
export interface StoredSeries {
  readonly name: string
  readonly labels: Labels
  readonly points: readonly Point[]
}

/** One scrape of one target: when it started and what it returned. */
export interface Scrape {
  readonly atMs: number
  readonly exposition: Exposition
}

/** How far back an instant selector looks for a sample (Prometheus's default lookback delta). */
const lookbackMs = 5 * 60_000

const seriesKey = (name: string, labels: Labels): string =>
  `${name}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`

/** Index of the last point at or before `atMs`, or -1. */
function lastIndexAtOrBefore(points: readonly Point[], atMs: number): number {
  let low = 0
  let high = points.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if ((points[middle] as Point).atMs <= atMs) low = middle + 1
    else high = middle
  }
  return low - 1
}

/** The scrapes of one target, indexed by metric name. Built once; never changes. */
export class SeriesStore {
  /** Metric family name → type, over all scrapes (see Exposition.families). */
  readonly families: ReadonlyMap<string, string>
  readonly #byName = new Map<string, StoredSeries[]>()

  /** Ingests `scrapes` (in time order), adding `targetLabels` to every series. */
  constructor(scrapes: readonly Scrape[], targetLabels: Labels) {
    const families = new Map<string, string>()
    const series = new Map<string, { name: string; labels: Labels; points: Point[] }>()
    let previous = new Set<string>()
    for (const { atMs, exposition } of scrapes) {
      for (const [family, type] of exposition.families) families.set(family, type)
      const present = new Set<string>()
      for (const sample of exposition.samples) {
        const labels = { ...sample.labels, ...targetLabels }
        const key = seriesKey(sample.name, labels)
        present.add(key)
        let entry = series.get(key)
        if (!entry) {
          entry = { name: sample.name, labels, points: [] }
          series.set(key, entry)
        }
        entry.points.push({ atMs, value: sample.value })
      }
      for (const key of previous) {
        if (!present.has(key)) series.get(key)?.points.push({ atMs, value: null })
      }
      previous = present
    }
    this.families = families
    for (const entry of series.values()) {
      const named = this.#byName.get(entry.name) ?? []
      named.push(entry)
      this.#byName.set(entry.name, named)
    }
  }

  /** Every series of metric `name`. */
  seriesNamed(name: string): readonly StoredSeries[] {
    return this.#byName.get(name) ?? []
  }
}

/**
 * The value of `series` at `atMs` as an instant selector sees it: its latest sample within the
 * lookback, unless a staleness marker came after that sample.
 */
export function valueAt(series: StoredSeries, atMs: number): number | undefined {
  const point = series.points[lastIndexAtOrBefore(series.points, atMs)]
  if (!point || point.value === null || point.atMs <= atMs - lookbackMs) return undefined
  return point.value
}

/** The samples of `series` in the left-open window (atMs − rangeMs, atMs], markers left out. */
export function pointsIn(series: StoredSeries, atMs: number, rangeMs: number): Point[] {
  const last = lastIndexAtOrBefore(series.points, atMs)
  const first = lastIndexAtOrBefore(series.points, atMs - rangeMs) + 1
  return series.points.slice(first, last + 1).filter((point) => point.value !== null)
}
