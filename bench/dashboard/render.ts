// The renderer: the dashboard JSON and a series file in, a PNG of the dashboard over the whole
// recording out.
import { readFileSync } from 'node:fs'
import { readDashboard } from './dashboard-model.js'
import { renderPage } from './dashboard-page.js'
import { readRecording } from './recording.js'
import { screenshot } from './screenshot.js'
import { SeriesStore } from './series-store.js'

/** What to render and where. */
export interface RenderOptions {
  readonly dashboardPath: string
  readonly recordingPath: string
  readonly outputPath: string
  /** Width of the picture in px; its height follows from the dashboard's grid. */
  readonly width: number
}

/** Evaluate a panel's queries at most this many times across the recording. */
const maxSteps = 600

/** Renders the dashboard over the recording into a PNG. */
export async function renderDashboard(options: RenderOptions): Promise<void> {
  const dashboard = readDashboard(JSON.parse(readFileSync(options.dashboardPath, 'utf8')))
  const recording = readRecording(options.recordingPath)
  const first = recording.scrapes[0]
  const last = recording.scrapes[recording.scrapes.length - 1]
  if (!first || !last || first === last) {
    throw new Error(`${options.recordingPath} holds fewer than two scrapes`)
  }
  const store = new SeriesStore(recording.scrapes, recording.targetLabels)
  const stepMs = Math.max(1000, Math.ceil((last.atMs - first.atMs) / maxSteps / 1000) * 1000)
  const range = { fromMs: first.atMs, toMs: last.atMs, stepMs }
  await screenshot(
    renderPage(dashboard, store, recording, range, options.width),
    options.outputPath,
  )
}
