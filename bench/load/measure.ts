// Measurement helpers for the load generator: a window over the server's CPU time and the
// machine's load, latency percentiles, and waiting for the server to go quiet.
import { watchMachineLoad } from '../machine-load.js'
import type { MachineLoad } from '../machine-load.js'
import type { Span } from '../scenarios/types.js'
import { readCpuMs, readMemoryKb } from '../../test/helpers/proc-stats.js'

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** What a window saw: the server's CPU time and the rest of the machine's load. */
export interface WindowResult {
  serverCpuMs: number
  elapsedMs: number
  load: MachineLoad
  /** When the window was open, to find it again in a CPU profile. */
  span: Span
}

/** A measurement window; `close` ends it. */
export interface MeasurementWindow {
  close(): WindowResult
}

/** Opens a measurement window over the server process `pid`. */
export function openWindow(pid: number): MeasurementWindow {
  const started = performance.now()
  const fromEpochMs = Date.now()
  const cpuStart = readCpuMs(pid)
  const machine = watchMachineLoad([pid, process.pid])
  return {
    close: () => ({
      serverCpuMs: readCpuMs(pid) - cpuStart,
      elapsedMs: performance.now() - started,
      load: machine.stop(),
      span: { fromEpochMs, toEpochMs: Date.now() },
    }),
  }
}

/**
 * Waits until the server has used at most 5% of a core (and at least one 10 ms clock tick is
 * allowed) over the last `quietMs`: background writes, compaction and garbage collection done,
 * while a profiler's sampling thread may keep ticking. Gives up after `timeoutMs`.
 */
export async function settle(pid: number, quietMs = 300, timeoutMs = 10_000): Promise<void> {
  const started = performance.now()
  const allowedMs = Math.max(10, quietMs * 0.05)
  const history = [{ at: started, cpuMs: readCpuMs(pid) }]
  while (performance.now() - started < timeoutMs) {
    await sleep(50)
    const now = { at: performance.now(), cpuMs: readCpuMs(pid) }
    history.push(now)
    while (history.length > 1 && now.at - (history[1]?.at ?? now.at) >= quietMs) history.shift()
    const oldest = history[0] ?? now
    if (now.at - oldest.at >= quietMs && now.cpuMs - oldest.cpuMs <= allowedMs) return
  }
}

/** Resident set size of the server now, in kilobytes. */
export function serverRssKb(pid: number): number {
  return readMemoryKb(pid).rss
}

/** Peak resident set size of the server so far, in megabytes. */
export function serverPeakRssMb(pid: number): number {
  return readMemoryKb(pid).peak / 1024
}

/** Collects latencies (ms) and reports p50/p99/max. */
export class LatencyRecorder {
  readonly #samples: number[] = []

  record(ms: number): void {
    this.#samples.push(ms)
  }

  get count(): number {
    return this.#samples.length
  }

  /** p50, p99 and max in milliseconds; null when nothing arrived. */
  summary(): { p50Ms: number | null; p99Ms: number | null; maxMs: number | null } {
    if (this.#samples.length === 0) return { p50Ms: null, p99Ms: null, maxMs: null }
    const sorted = [...this.#samples].sort((a, b) => a - b)
    const at = (q: number): number =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
    return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1] ?? 0 }
  }
}

/** Resolves when `condition` holds, polling every `intervalMs`; false if `timeoutMs` passed. */
export async function until(condition: () => boolean, timeoutMs: number, intervalMs = 5) {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() >= deadline) return false
    await sleep(intervalMs)
  }
  return true
}

/** Runs `tick(i)` for i = 0, 1, … at `ratePerSecond` for `durationMs`, correcting for drift. */
export async function paced(ratePerSecond: number, durationMs: number, tick: (i: number) => void) {
  const intervalMs = 1000 / ratePerSecond
  const count = Math.floor((durationMs / 1000) * ratePerSecond)
  const started = performance.now()
  for (let i = 0; i < count; i++) {
    const wait = started + i * intervalMs - performance.now()
    if (wait > 1) await sleep(wait)
    tick(i)
  }
  return count
}
