// A panel's queries run over the recording as Grafana's range queries would: each target's series,
// named by its legend format, coloured from Grafana's classic palette, with the overrides applied.
// A query naming a metric the server never exported is an error, not an empty panel.
import type { TimeseriesPanel, Variable } from './dashboard-model.js'
import { interpolate } from './dashboard-model.js'
import { evaluateRange } from './promql-evaluator.js'
import { metricNames, parsePromql } from './promql-parser.js'
import type { Labels } from './prometheus-text.js'
import type { SeriesStore } from './series-store.js'

/** One line to draw. */
export interface PlotSeries {
  readonly name: string
  readonly color: string
  readonly lineWidth: number
  readonly unit: string
  readonly axis: 'left' | 'right'
  /** One value per step; null where the query had none (or not a finite one). */
  readonly values: ReadonlyArray<number | null>
}

/** The times a range query is evaluated at. */
export interface TimeRange {
  readonly fromMs: number
  readonly toMs: number
  readonly stepMs: number
}

// Grafana's palette-classic colours, in the order it hands them to a panel's series.
const classicPalette = [
  '#7EB26D',
  '#EAB839',
  '#6ED0E0',
  '#EF843C',
  '#E24D42',
  '#1F78C1',
  '#BA43A6',
  '#705DA0',
  '#508642',
  '#CCA300',
]

// Grafana's named colours (dark theme) that overrides may use.
const namedColors: Record<string, string> = {
  green: '#73BF69',
  yellow: '#FADE2A',
  red: '#F2495C',
  purple: '#B877D9',
  blue: '#5794F2',
  orange: '#FF9830',
}

/**
 * The metric family a sample name belongs to: itself, or for a histogram's or summary's
 * `_bucket`, `_count` and `_sum` series the name without that suffix.
 */
function familyOf(name: string, families: ReadonlyMap<string, string>): string | undefined {
  if (families.has(name)) return name
  const base = name.replace(/_(bucket|count|sum)$/, '')
  const type = families.get(base)
  return type === 'histogram' || type === 'summary' ? base : undefined
}

const legendName = (format: string, labels: Labels): string =>
  format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, label: string) => labels[label] ?? '')

/** Runs every target of `panel` over `range`; throws for a metric the recording never saw. */
export function panelSeries(
  panel: TimeseriesPanel,
  store: SeriesStore,
  variables: readonly Variable[],
  range: TimeRange,
): PlotSeries[] {
  const named = panel.targets.flatMap((target) => {
    const expr = parsePromql(interpolate(target.expr, variables))
    const unknown = metricNames(expr).find((name) => !familyOf(name, store.families))
    if (unknown) {
      throw new Error(`panel "${panel.title}": the server exports no metric ${unknown}`)
    }
    return evaluateRange(expr, store, range.fromMs, range.toMs, range.stepMs)
      .map((series) => ({ name: legendName(target.legendFormat, series.labels), series }))
      .sort((a, b) => a.name.localeCompare(b.name))
  })
  return named.map(({ name, series }, index) => {
    const override = panel.overrides.find((candidate) => candidate.name === name)
    const color = override?.color
    return {
      name: override?.displayName ?? name,
      color: color
        ? (namedColors[color] ?? color)
        : (classicPalette[index % classicPalette.length] as string),
      lineWidth: override?.lineWidth ?? panel.lineWidth,
      unit: override?.unit ?? panel.unit,
      axis: override?.axisPlacement ?? 'left',
      values: series.values.map((value) =>
        value !== null && Number.isFinite(value) ? value : null,
      ),
    }
  })
}
