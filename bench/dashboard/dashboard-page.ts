// Lays the whole dashboard out as one HTML page holding one SVG: Grafana's header (title, the
// template variables at their "All" value, the time range), the grid of rows and panels, a key to
// the annotations (the load phases) and a footer saying where the data came from.
import type { DashboardModel } from './dashboard-model.js'
import { panelSeries } from './panel-data.js'
import type { TimeRange } from './panel-data.js'
import { renderPanel } from './panel-svg.js'
import type { Annotation } from './panel-svg.js'
import type { Recording } from './recording.js'
import type { SeriesStore } from './series-store.js'
import { text, textWidth, theme } from './svg.js'

/** Grafana's grid: a cell is 30 px high, with 8 px between cells. */
const cellHeight = 30
const cellMargin = 8
const pagePadding = 16
const headerHeight = 84
const footerHeight = 34

/** A rendered page and its size in px. */
export interface Page {
  readonly html: string
  readonly width: number
  readonly height: number
}

const clock = (atMs: number): string => new Date(atMs).toISOString().slice(11, 19)

function header(dashboard: DashboardModel, range: TimeRange, annotations: string[], width: number) {
  const seconds = Math.round((range.toMs - range.fromMs) / 1000)
  const rangeLabel = `${clock(range.fromMs)} to ${clock(range.toMs)} UTC (${Math.floor(seconds / 60)} min ${seconds % 60} s)`
  const parts = [
    text(pagePadding, 30, dashboard.title, { size: 20, weight: 500 }),
    text(width - pagePadding, 30, rangeLabel, {
      anchor: 'end',
      size: 13,
      color: theme.secondaryText,
    }),
  ]
  let x = pagePadding
  for (const variable of dashboard.variables) {
    const { label } = variable
    const labelWidth = textWidth(label, 12) + 16
    parts.push(
      `<rect x="${x}" y="44" width="${labelWidth}" height="26" fill="${theme.panel}" stroke="${theme.border}"/>`,
      text(x + 8, 61, label, { size: 12 }),
      `<rect x="${x + labelWidth}" y="44" width="52" height="26" fill="${theme.canvas}" stroke="${theme.border}"/>`,
      text(x + labelWidth + 8, 61, 'All ▾', { size: 12 }),
    )
    x += labelWidth + 68
  }
  parts.push(text(x, 61, annotations.join('     '), { size: 12, color: theme.annotation }))
  return parts.join('')
}

/** Renders `dashboard` over `recording` (whose series are in `store`), `width` px wide. */
export function renderPage(
  dashboard: DashboardModel,
  store: SeriesStore,
  recording: Recording,
  range: TimeRange,
  width: number,
): Page {
  const columnWidth = (width - 2 * pagePadding - 23 * cellMargin) / 24
  const annotations: Annotation[] = recording.phases.map((phase, index) => ({
    atMs: phase.atMs,
    tag: String(index + 1),
  }))
  const key = recording.phases.map((phase, index) => `${index + 1} ${phase.name}`)
  const rows = Math.max(...dashboard.panels.map((panel) => panel.gridPos.y + panel.gridPos.h))
  const gridHeight = rows * (cellHeight + cellMargin)
  const height = headerHeight + gridHeight + footerHeight
  const parts = [header(dashboard, range, key, width)]
  dashboard.panels.forEach((panel, index) => {
    const { x, y, w, h } = panel.gridPos
    const box = {
      x: pagePadding + x * (columnWidth + cellMargin),
      y: headerHeight + y * (cellHeight + cellMargin),
      width: w * columnWidth + (w - 1) * cellMargin,
      height: h * cellHeight + (h - 1) * cellMargin,
    }
    if (panel.type === 'row') {
      parts.push(text(box.x, box.y + 20, `▾ ${panel.title}`, { size: 15, weight: 500 }))
      return
    }
    const series = panelSeries(panel, store, dashboard.variables, range)
    parts.push(renderPanel(panel, series, range, annotations, box, index))
  })
  const footer = `${recording.scrapes.length} scrapes of GET /metrics recorded by: ${recording.command}. Each panel runs its queries from docs/grafana-dashboard.json over them (bench/dashboard/promql-evaluator.ts), every ${range.stepMs / 1000} s.`
  parts.push(text(pagePadding, height - 14, footer, { size: 11, color: theme.secondaryText }))
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="${theme.font}"><style>text { white-space: pre; }</style><rect width="100%" height="100%" fill="${theme.canvas}"/>${parts.join('')}</svg>`
  return {
    html: `<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0;background:${theme.canvas}">${svg}</body></html>`,
    width,
    height,
  }
}
