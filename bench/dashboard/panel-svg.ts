// Draws one time-series panel as SVG the way Grafana lays it out: title, value axes (a right one
// for series placed there), time axis, grid, lines with a faint fill, gaps where a query had no
// value, annotation lines, and a list legend below with the panel's legend calculations.
import { timeTicks, valueAxis } from './axes.js'
import type { ValueAxis } from './axes.js'
import type { TimeseriesPanel } from './dashboard-model.js'
import type { PlotSeries, TimeRange } from './panel-data.js'
import { text, textWidth, theme } from './svg.js'
import { formatValue } from './units.js'

/** Where a panel goes on the page, in px. */
export interface Box {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/** A vertical marker across the plot (a load phase beginning), labelled with a short tag. */
export interface Annotation {
  readonly atMs: number
  readonly tag: string
}

const titleHeight = 32
const legendRowHeight = 18
const timeAxisHeight = 20
const padding = 8
const fontSize = 12

const calcNames: Record<string, string> = { max: 'Max', mean: 'Mean', lastNotNull: 'Last *' }

function calculate(calc: string, values: readonly number[]): number {
  if (calc === 'max') return Math.max(...values)
  if (calc === 'mean') return values.reduce((sum, value) => sum + value, 0) / values.length
  return values[values.length - 1] ?? NaN
}

function legendLabel(series: PlotSeries, calcs: readonly string[]): string {
  const values = series.values.filter((value) => value !== null)
  const shown = calcs.map((calc) => {
    const value = values.length > 0 ? formatValue(calculate(calc, values), series.unit) : '-'
    return `${calcNames[calc] ?? calc}: ${value}`
  })
  return [series.name, ...shown].join('   ')
}

/** Lays legend items out in rows no wider than `width`; returns each item's row and x offset. */
function layoutLegend(labels: readonly string[], width: number) {
  const placed: Array<{ row: number; x: number }> = []
  let row = 0
  let x = 0
  for (const label of labels) {
    const itemWidth = 22 + textWidth(label, fontSize)
    if (x > 0 && x + itemWidth > width) {
      row++
      x = 0
    }
    placed.push({ row, x })
    x += itemWidth + 16
  }
  return { placed, rows: labels.length === 0 ? 0 : row + 1 }
}

function axisFor(series: readonly PlotSeries[], panel: TimeseriesPanel, height: number): ValueAxis {
  const values = series.flatMap((one) => one.values.filter((value) => value !== null))
  const dataMin = values.length > 0 ? Math.min(...values) : 0
  const dataMax = values.length > 0 ? Math.max(...values) : 0
  const unit = series[0]?.unit ?? panel.unit
  return valueAxis(panel.min ?? dataMin, dataMax, unit, Math.max(2, Math.floor(height / 45)))
}

/** Path data for one series, a separate run for each stretch without gaps. */
function runs(series: PlotSeries, x: (step: number) => number, y: (value: number) => number) {
  const found: Array<Array<[number, number]>> = []
  let current: Array<[number, number]> = []
  series.values.forEach((value, step) => {
    if (value === null) {
      if (current.length > 0) found.push(current)
      current = []
    } else {
      current.push([x(step), y(value)])
    }
  })
  if (current.length > 0) found.push(current)
  return found
}

function drawSeries(
  series: PlotSeries,
  panel: TimeseriesPanel,
  x: (step: number) => number,
  y: (value: number) => number,
  baseline: number,
): string {
  return runs(series, x, y)
    .map((points) => {
      if (points.length === 1) {
        const [[px, py]] = points as [[number, number]]
        return `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="2" fill="${series.color}"/>`
      }
      const line = points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' L')
      const first = points[0] as [number, number]
      const last = points[points.length - 1] as [number, number]
      const fill =
        panel.fillOpacity > 0
          ? `<path d="M${first[0].toFixed(1)},${baseline.toFixed(1)} L${line} L${last[0].toFixed(1)},${baseline.toFixed(1)} Z" fill="${series.color}" fill-opacity="${panel.fillOpacity / 100}" stroke="none"/>`
          : ''
      return `${fill}<path d="M${line}" fill="none" stroke="${series.color}" stroke-width="${series.lineWidth}" stroke-linejoin="round"/>`
    })
    .join('')
}

/** The panel as an SVG group; `id` makes its clip path unique on the page. */
export function renderPanel(
  panel: TimeseriesPanel,
  series: readonly PlotSeries[],
  range: TimeRange,
  annotations: readonly Annotation[],
  box: Box,
  id: number,
): string {
  const labels = series.map((one) => legendLabel(one, panel.calcs))
  const legend = layoutLegend(labels, box.width - 2 * padding)
  const top = box.y + titleHeight
  const bottom = box.y + box.height - padding - legend.rows * legendRowHeight - timeAxisHeight
  const left = series.filter((one) => one.axis === 'left')
  const right = series.filter((one) => one.axis === 'right')
  const leftAxis = axisFor(left, panel, bottom - top)
  const rightAxis = right.length > 0 ? axisFor(right, panel, bottom - top) : null
  const axisWidth = (axis: ValueAxis | null): number =>
    axis ? 8 + Math.max(...axis.ticks.map((tick) => textWidth(tick.label, 11))) : 0
  const plotLeft = box.x + padding + axisWidth(leftAxis)
  const plotRight = box.x + box.width - padding - axisWidth(rightAxis)
  const stepX = (step: number): number =>
    plotLeft + ((step * range.stepMs) / (range.toMs - range.fromMs)) * (plotRight - plotLeft)
  const timeX = (atMs: number): number => stepX((atMs - range.fromMs) / range.stepMs)
  const scaleY =
    (axis: ValueAxis) =>
    (value: number): number =>
      bottom - ((value - axis.min) / (axis.max - axis.min)) * (bottom - top)

  const parts: string[] = [
    `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" rx="3" fill="${theme.panel}" stroke="${theme.border}"/>`,
    text(box.x + padding, box.y + 21, panel.title, { size: 14, weight: 500 }),
    `<clipPath id="plot-${id}"><rect x="${plotLeft}" y="${top - 2}" width="${plotRight - plotLeft}" height="${bottom - top + 4}"/></clipPath>`,
  ]
  for (const tick of leftAxis.ticks) {
    const y = scaleY(leftAxis)(tick.value)
    parts.push(
      `<line x1="${plotLeft}" x2="${plotRight}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${theme.grid}"/>`,
      text(plotLeft - 6, y + 4, tick.label, {
        size: 11,
        color: theme.secondaryText,
        anchor: 'end',
      }),
    )
  }
  for (const tick of rightAxis?.ticks ?? []) {
    const y = scaleY(rightAxis as ValueAxis)(tick.value)
    parts.push(text(plotRight + 6, y + 4, tick.label, { size: 11, color: theme.secondaryText }))
  }
  for (const tick of timeTicks(range.fromMs, range.toMs, plotRight - plotLeft, 70)) {
    const x = timeX(tick.atMs)
    parts.push(
      `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${top}" y2="${bottom}" stroke="${theme.grid}"/>`,
      text(x, bottom + 15, tick.label, { size: 11, color: theme.secondaryText, anchor: 'middle' }),
    )
  }
  for (const annotation of annotations) {
    const x = timeX(annotation.atMs).toFixed(1)
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${top}" y2="${bottom}" stroke="${theme.annotation}" stroke-dasharray="3 3"/>`,
      text(Number(x) + 3, top + 9, annotation.tag, { size: 10, color: theme.annotation }),
    )
  }
  const plotted = series.map((one) => {
    const axis = one.axis === 'right' && rightAxis ? rightAxis : leftAxis
    const y = scaleY(axis)
    return drawSeries(one, panel, stepX, y, y(Math.max(axis.min, 0)))
  })
  parts.push(`<g clip-path="url(#plot-${id})">${plotted.join('')}</g>`)
  if (series.every((one) => one.values.every((value) => value === null))) {
    parts.push(
      text((plotLeft + plotRight) / 2, (top + bottom) / 2, 'No data', {
        size: 16,
        color: theme.secondaryText,
        anchor: 'middle',
      }),
    )
  }
  const legendTop = bottom + timeAxisHeight + 4
  series.forEach((one, index) => {
    const { row, x } = legend.placed[index] as { row: number; x: number }
    const itemX = box.x + padding + x
    const itemY = legendTop + row * legendRowHeight
    parts.push(
      `<rect x="${itemX}" y="${itemY + 5}" width="14" height="4" rx="1" fill="${one.color}"/>`,
      text(itemX + 20, itemY + 11, labels[index] as string, { size: fontSize }),
    )
  })
  return `<g>${parts.join('')}</g>`
}
