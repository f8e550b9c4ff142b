// What a fuzz run found and measured, and its text form. Holds bounded data only: counters, the
// first failures in full, a bounded sample of probe latencies.
import type { PlannedFrame } from './burst.js'

/** One thing that went wrong, with enough to find and replay it. */
export interface FailureRecord {
  /** 'crash', 'hang', 'wrong close code', 'document differs', … */
  readonly kind: string
  readonly detail: string
  readonly room?: string
  /** `slot:index` of the burst, for bursts. */
  readonly burst?: string
  readonly frame?: PlannedFrame
  /** Kinds of the burst's frames, in order (the first few). */
  readonly burstKinds?: readonly string[]
}

/** Failure kinds that count as hangs in the summary. */
const hangKinds = new Set(['hang', 'probe hang'])
const keptFailures = 50
const keptLatencies = 10_000
const hexBytes = 48

const count = <K>(map: Map<K, number>, key: K, by = 1): void => {
  map.set(key, (map.get(key) ?? 0) + by)
}

const thousands = (value: number): string => Math.round(value).toLocaleString('en-US')
const mebibytes = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`

function describeFrame(frame: PlannedFrame): string {
  const bytes =
    typeof frame.frame === 'string' ? new TextEncoder().encode(frame.frame) : frame.frame
  const hex = Buffer.from(bytes.subarray(0, hexBytes)).toString('hex')
  const mutated = frame.mutations.length > 0 ? `, mutated: ${frame.mutations.join(', ')}` : ''
  const text = typeof frame.frame === 'string' ? 'text ' : ''
  return `'${frame.kind}'${mutated} (${text}${bytes.length} bytes: ${hex}${bytes.length > hexBytes ? '…' : ''})`
}

/** Counters and findings of one run. */
export class FuzzReport {
  readonly replayCommand: string
  frames = 0
  bursts = 0
  soakMs = 0
  readonly framesByKind = new Map<string, number>()
  readonly mutations = new Map<string, number>()
  /** How hostile connections ended: a close code, or 'closed by the fuzzer'. */
  readonly endings = new Map<string, number>()
  readonly failureCounts = new Map<string, number>()
  readonly failures: FailureRecord[] = []
  readonly probeLatenciesMs: number[] = []
  probes = 0
  serverPeakRssBytes = 0
  serverEndRssBytes = 0
  fuzzerPeakRssBytes = 0
  /** CPU time over the soak, in seconds. */
  serverCpuSeconds = 0
  fuzzerCpuSeconds = 0
  readonly serverErrorLogs = new Map<string, number>()
  /** The first line logged with each error message, cut short. */
  readonly serverErrorSamples = new Map<string, string>()
  readonly endChecks: string[] = []

  constructor(replayCommand: string) {
    this.replayCommand = replayCommand
  }

  get isClean(): boolean {
    return this.failureCounts.size === 0
  }

  get crashes(): number {
    return this.failureCounts.get('crash') ?? 0
  }

  get hangs(): number {
    let hangs = 0
    for (const [kind, times] of this.failureCounts) if (hangKinds.has(kind)) hangs += times
    return hangs
  }

  get framesPerSecond(): number {
    return this.soakMs > 0 ? (this.frames * 1000) / this.soakMs : 0
  }

  addFailure(failure: FailureRecord): void {
    count(this.failureCounts, failure.kind)
    if (this.failures.length < keptFailures) this.failures.push(failure)
  }

  addFrame(frame: PlannedFrame): void {
    this.frames++
    count(this.framesByKind, frame.kind)
    for (const mutation of frame.mutations) count(this.mutations, mutation)
  }

  addEnding(ending: string): void {
    count(this.endings, ending)
  }

  addProbe(latencyMs: number): void {
    this.probes++
    if (this.probeLatenciesMs.length < keptLatencies) this.probeLatenciesMs.push(latencyMs)
  }

  addServerErrorLogs(
    logs: ReadonlyMap<string, number>,
    samples: ReadonlyMap<string, string>,
  ): void {
    for (const [message, times] of logs) count(this.serverErrorLogs, message, times)
    for (const [message, line] of samples) {
      if (!this.serverErrorSamples.has(message)) this.serverErrorSamples.set(message, line)
    }
  }

  /** The report as lines of text. */
  format(): string {
    const lines = [
      `replay: ${this.replayCommand}`,
      `frames: ${thousands(this.frames)} in ${thousands(this.bursts)} connections, ${(this.soakMs / 1000).toFixed(1)} s, ${thousands(this.framesPerSecond)} frames/s`,
      `crashes: ${this.crashes}, hangs: ${this.hangs}, failures: ${[...this.failureCounts.values()].reduce((a, b) => a + b, 0)}`,
      `connection endings: ${table(this.endings)}`,
      `server RSS: peak ${mebibytes(this.serverPeakRssBytes)}, end ${mebibytes(this.serverEndRssBytes)}; fuzzer RSS peak ${mebibytes(this.fuzzerPeakRssBytes)}`,
      `CPU over the soak: server ${this.serverCpuSeconds.toFixed(1)} s, fuzzer ${this.fuzzerCpuSeconds.toFixed(1)} s`,
      `liveness probes: ${this.probes}${this.latencySummary()}`,
      `server error logs: ${this.serverErrorLogs.size > 0 ? table(this.serverErrorLogs) : 'none'}`,
      ...[...this.serverErrorSamples.values()].map((line) => `  e.g. ${line}`),
      ...this.endChecks.map((check) => `end check: ${check}`),
      `frame kinds: ${table(this.framesByKind)}`,
      `mutations: ${table(this.mutations)}`,
    ]
    if (!this.isClean) {
      lines.push(`failures by kind: ${table(this.failureCounts)}`)
      for (const failure of this.failures) lines.push(`  ${formatFailure(failure)}`)
    }
    return lines.join('\n')
  }

  latencySummary(): string {
    const sorted = [...this.probeLatenciesMs].sort((a, b) => a - b)
    if (sorted.length === 0) return ''
    const at = (fraction: number): string =>
      sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!.toFixed(1)
    return `, latency p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`
  }
}

function table(map: ReadonlyMap<string, number>): string {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .map(([key, times]) => `${key} ×${thousands(times)}`)
    .join(', ')
}

function formatFailure(failure: FailureRecord): string {
  const where = [
    failure.burst && `burst ${failure.burst}`,
    failure.room && `room ${failure.room}`,
  ].filter(Boolean)
  const frame = failure.frame ? `; frame ${describeFrame(failure.frame)}` : ''
  const kinds = failure.burstKinds ? `; burst: ${failure.burstKinds.join(' → ')}` : ''
  return `[${failure.kind}] ${where.join(', ')}${where.length > 0 ? ': ' : ''}${failure.detail}${frame}${kinds}`
}
