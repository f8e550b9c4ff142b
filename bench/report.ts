// Turns a run's measurements into min/median/max per server, ratios against the best peer and
// the raw relay (and of ours-ops to ours-bare), target checks, and writes them as markdown and
// JSON under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { MachineLoad } from './machine-load.js'
import type { Figures, ScenarioName, ServerKind } from './scenarios/types.js'

/** One measurement as recorded by the orchestrator. */
export interface MeasurementRecord {
  scenario: ScenarioName
  variant: string
  params: { [key: string]: number }
  server: ServerKind
  rep: number
  figures: Figures
  load: MachineLoad | null
  /** How many earlier attempts were thrown away because the machine was busy. */
  retakes: number
  error?: string
}

/** Everything a results file holds besides the measurements. */
export interface RunInfo {
  command: string
  startedAt: string
  finishedAt: string
  machine: { [key: string]: string | number }
  versions: { [key: string]: string }
  options: { [key: string]: unknown }
}

interface FigureInfo {
  label: string
  isHigherBetter?: boolean
}

/** Label and direction of every figure a scenario reports. */
const figureInfo: { [figure: string]: FigureInfo } = {
  cpuUsPerDelivery: { label: 'server CPU per delivered update (µs)' },
  p50Ms: { label: 'latency p50 (ms)' },
  p99Ms: { label: 'latency p99 (ms)' },
  maxMs: { label: 'latency max (ms)' },
  lossPct: { label: 'loss (%)' },
  peakRssMb: { label: 'server peak RSS (MB)' },
  rssKbPerRoom: { label: 'RSS per open room (KB)' },
  rssKbPerConnection: { label: 'RSS per connection (KB)' },
  idleCpuMsPerSecond: { label: 'idle CPU (ms/s)' },
  connectMs: { label: 'time to connect and sync all (ms)' },
  rssAfterCloseMb: { label: 'RSS after close (MB)' },
  rssStartMb: { label: 'RSS before the first cycle (MB)' },
  rssEndMb: { label: 'RSS after the last cycle (MB)' },
  growthPct: { label: 'RSS growth over the cycles (%)' },
  rssMaxAfterCycleMb: { label: 'highest RSS after a cycle (MB)' },
  rssIdleMb: { label: 'RSS after the idle wait (MB)' },
  idleGrowthPct: { label: 'RSS growth after the idle wait (%)' },
  syntheticMs: { label: 'cold load, synthetic document (ms)' },
  traceMs: { label: 'cold load, trace document (ms)' },
  txnsPerSecond: { label: 'transactions/s', isHigherBetter: true },
  cpuUsPerTxn: { label: 'server CPU per transaction (µs)' },
  converged: { label: 'converged (1 = yes)', isHigherBetter: true },
  freshClientMs: { label: 'fresh client gets the full text (ms)' },
  metricsScrapes: { label: 'GET /metrics scrapes in the window (ours-ops)' },
  webhookCalls: { label: 'webhook calls answered in the window (ours-ops)' },
}

const peers: ServerKind[] = ['ywebsocket', 'hocuspocus']

/** min / median / max of one figure over the repetitions; null when no value was taken. */
export interface Spread {
  min: number
  median: number
  max: number
  n: number
}

function spread(values: number[]): Spread | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] ?? 0)
      : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
  return { min: sorted[0] ?? 0, median, max: sorted[sorted.length - 1] ?? 0, n: values.length }
}

/** One row of the summary: a figure of a scenario variant across the servers. */
export interface SummaryRow {
  scenario: ScenarioName
  variant: string
  params: { [key: string]: number }
  figure: string
  byServer: Partial<{ [server in ServerKind]: Spread | null }>
  /** Ours ÷ the best peer (by median); null when either is missing. */
  vsBestPeer: number | null
  bestPeer: ServerKind | null
  /** Ours ÷ the raw relay (by median). */
  vsRelay: number | null
  /** ours-ops ÷ ours-bare (by median): what metrics and webhooks cost; null when either is missing. */
  opsVsBare: number | null
}

/** Groups the records by scenario, variant and figure and computes spreads and ratios. */
export function summarize(records: MeasurementRecord[], servers: ServerKind[]): SummaryRow[] {
  const rows: SummaryRow[] = []
  const keys = new Map<string, MeasurementRecord>()
  for (const record of records) keys.set(`${record.scenario}\u0000${record.variant}`, record)
  for (const { scenario, variant, params } of keys.values()) {
    const group = records.filter((r) => r.scenario === scenario && r.variant === variant)
    const figures = [...new Set(group.flatMap((r) => Object.keys(r.figures)))]
    for (const figure of figures) {
      const byServer: SummaryRow['byServer'] = {}
      for (const server of servers) {
        const values = group
          .filter((r) => r.server === server)
          .map((r) => r.figures[figure])
          .filter((value): value is number => typeof value === 'number' && Number.isFinite(value))
        byServer[server] = spread(values)
      }
      const isHigherBetter = figureInfo[figure]?.isHigherBetter ?? false
      let bestPeer: ServerKind | null = null
      for (const peer of peers) {
        const value = byServer[peer]?.median
        const best = bestPeer ? byServer[bestPeer]?.median : undefined
        if (value === undefined) continue
        if (best === undefined || (isHigherBetter ? value > best : value < best)) bestPeer = peer
      }
      const ours = byServer.ours?.median
      const ratio = (value: number | undefined, other: number | undefined): number | null =>
        value === undefined || other === undefined || other === 0 ? null : value / other
      rows.push({
        scenario,
        variant,
        params,
        figure,
        byServer,
        bestPeer,
        vsBestPeer: ratio(ours, bestPeer ? byServer[bestPeer]?.median : undefined),
        vsRelay: ratio(ours, byServer.relay?.median),
        opsVsBare: ratio(byServer['ours-ops']?.median, byServer['ours-bare']?.median),
      })
    }
  }
  return rows
}

/** A target of issue 4 and whether this run meets it. */
export interface TargetCheck {
  target: string
  where: string
  value: number | null
  isMet: boolean | null
}

/** Checks the targets of issue 4 against the summary. */
export function checkTargets(rows: SummaryRow[]): TargetCheck[] {
  const checks: TargetCheck[] = []
  const add = (
    target: string,
    row: SummaryRow,
    value: number | null,
    limit: number,
    isStrict = false,
  ) => {
    const isMet = value === null ? null : isStrict ? value < limit : value <= limit
    checks.push({ target, where: `${row.scenario} ${row.variant}`, value, isMet })
  }
  for (const row of rows) {
    const { scenario, figure } = row
    if (scenario === 'fanout' && figure === 'cpuUsPerDelivery') {
      add('fan-out CPU/delivery ≤ 0.75× best peer', row, row.vsBestPeer, 0.75)
      if ((row.params.receivers ?? 0) >= 50)
        add('fan-out CPU/delivery ≤ 1.2× raw relay', row, row.vsRelay, 1.2)
    }
    if ((scenario === 'fanout' || scenario === 'many-rooms') && figure === 'p99Ms') {
      add('p99 latency ≤ best peer', row, row.vsBestPeer, 1)
    }
    if (scenario === 'many-rooms' && (figure === 'cpuUsPerDelivery' || figure === 'rssKbPerRoom')) {
      add(`many rooms ${figureInfo[figure]?.label} ≤ 0.6× best peer`, row, row.vsBestPeer, 0.6)
    }
    if (scenario === 'idle' && figure === 'rssKbPerConnection') {
      add('idle RSS/connection ≤ 0.8× best peer', row, row.vsBestPeer, 0.8)
    }
    if (scenario === 'churn' && figure === 'idleGrowthPct') {
      add(
        'churn: memory back within 10% (growth % after the idle wait)',
        row,
        row.byServer.ours?.median ?? null,
        10,
      )
    }
    if (scenario === 'cold-load' && (figure === 'syntheticMs' || figure === 'traceMs')) {
      add(`cold load (${figure}) ≤ 0.5× best peer`, row, row.vsBestPeer, 0.5)
    }
    if (scenario === 'trace-replay' && figure === 'freshClientMs') {
      add('fresh client after replay < 100 ms', row, row.byServer.ours?.median ?? null, 100, true)
    }
  }
  return checks
}

const number = (value: number): string =>
  Math.abs(value) >= 100
    ? value.toFixed(0)
    : Math.abs(value) >= 10
      ? value.toFixed(1)
      : value.toFixed(2)

function cell(value: Spread | null | undefined): string {
  if (!value) return 'n/a'
  if (value.min === value.max) return number(value.median)
  return `${number(value.median)} (${number(value.min)}–${number(value.max)})`
}

const ratioCell = (ratio: number | null): string =>
  ratio === null ? 'n/a' : `${ratio.toFixed(2)}×`

/**
 * Renders the run as markdown: setup, one table per scenario, target checks, machine load. The
 * "ops vs bare" column is there only when the run measured both ours-bare and ours-ops.
 */
export function renderMarkdown(
  info: RunInfo,
  records: MeasurementRecord[],
  rows: SummaryRow[],
  servers: ServerKind[],
) {
  const hasOpsRatio = servers.includes('ours-bare') && servers.includes('ours-ops')
  const lines: string[] = [
    '# Benchmark results',
    '',
    `Command: \`${info.command}\``,
    '',
    `Run ${info.startedAt} → ${info.finishedAt}. Cells: median (min–max) over the repetitions. ` +
      '"vs best peer" and "vs relay" divide our median by theirs (below 1 is better for us, except ' +
      'where higher is better).' +
      (hasOpsRatio
        ? ' "ops vs bare" divides the median of ours-ops (metrics scraped, webhooks on) by that of ' +
          'ours-bare (both off).'
        : ''),
    '',
    `Machine: ${Object.entries(info.machine)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    `Versions: ${Object.entries(info.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
  ]
  for (const scenario of [...new Set(rows.map((row) => row.scenario))]) {
    const values = new Map<string, Set<number>>()
    for (const record of records.filter((r) => r.scenario === scenario)) {
      for (const [key, value] of Object.entries(record.params)) {
        values.set(key, (values.get(key) ?? new Set()).add(value))
      }
    }
    const params = [...values].map(([key, set]) => `${key} ${[...set].join(' / ')}`).join(', ')
    lines.push(`## ${scenario}`, '', `Parameters: ${params}.`, '')
    const opsHeader = hasOpsRatio ? ' ops vs bare |' : ''
    lines.push(
      `| variant | figure | ${servers.join(' | ')} | vs best peer | vs relay |${opsHeader}`,
    )
    lines.push(`|${' --- |'.repeat(servers.length + 4 + (hasOpsRatio ? 1 : 0))}`)
    for (const row of rows.filter((r) => r.scenario === scenario)) {
      const cells = servers.map((server) => cell(row.byServer[server]))
      const peer = row.bestPeer ? ` (${row.bestPeer})` : ''
      const opsCell = hasOpsRatio ? ` ${ratioCell(row.opsVsBare)} |` : ''
      lines.push(
        `| ${row.variant} | ${figureInfo[row.figure]?.label ?? row.figure} | ${cells.join(' | ')} | ` +
          `${ratioCell(row.vsBestPeer)}${peer} | ${ratioCell(row.vsRelay)} |${opsCell}`,
      )
    }
    lines.push('')
  }
  lines.push(
    '## Targets (issue 4)',
    '',
    '| target | where | value | met |',
    '| --- | --- | --- | --- |',
  )
  for (const check of checkTargets(rows)) {
    const value = check.value === null ? 'n/a' : number(check.value)
    const met = check.isMet === null ? 'n/a' : check.isMet ? 'yes' : 'NO'
    lines.push(`| ${check.target} | ${check.where} | ${value} | ${met} |`)
  }
  const loads = records.flatMap((r) => (r.load ? [r.load.otherCores] : []))
  const retakes = records.reduce((sum, r) => sum + r.retakes, 0)
  const busy = records.filter((r) => r.load?.isBusy).length
  const failed = records.filter((r) => r.error)
  lines.push(
    '',
    '## Machine load',
    '',
    `Other processes used ${number(Math.min(...loads, 0))}–${number(Math.max(...loads, 0))} cores ` +
      `during the measurements (median ${number(spread(loads)?.median ?? 0)}). ${retakes} measurement(s) ` +
      `were retaken on a busy machine; ${busy} stayed busy after the retakes. ` +
      `${failed.length} measurement(s) failed.`,
  )
  for (const record of records.filter((r) => r.load?.isBusy)) {
    lines.push(
      `- busy: ${record.scenario} ${record.variant} ${record.server} rep ${record.rep + 1} ` +
        `(other processes ${number(record.load?.otherCores ?? 0)} cores)`,
    )
  }
  for (const record of failed) {
    lines.push(
      `- ${record.scenario} ${record.variant} ${record.server} rep ${record.rep}: ` +
        `${(record.error ?? '').split('\n')[0]}`,
    )
  }
  return lines.join('\n') + '\n'
}

/** Writes latest.md/.json and timestamped copies into `dir`; returns the markdown path. */
export function writeResults(
  dir: string,
  info: RunInfo,
  records: MeasurementRecord[],
  servers: ServerKind[],
) {
  const rows = summarize(records, servers)
  const markdown = renderMarkdown(info, records, rows, servers)
  const json = JSON.stringify(
    { ...info, summary: rows, targets: checkTargets(rows), records },
    null,
    2,
  )
  const stamp = info.startedAt.replace(/[:.]/g, '-')
  mkdirSync(dir, { recursive: true })
  for (const name of ['latest', `run-${stamp}`]) {
    writeFileSync(join(dir, `${name}.md`), markdown)
    writeFileSync(join(dir, `${name}.json`), json + '\n')
  }
  return join(dir, 'latest.md')
}
