// How busy the machine was during a measurement, apart from the server and load generator
// being measured: all CPU time from /proc/stat minus what those two processes used.
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { readCpuMs } from '../test/helpers/proc-stats.js'

/** Other processes may use at most this many cores before a measurement is taken again. */
export const busyThresholdCores = 0.3

/** A measurement's view of the machine. */
export interface MachineLoad {
  /** Cores used by everything except the measured processes, averaged over the measurement. */
  otherCores: number
  /** One-minute load average at the end. */
  loadAverage: number
  isBusy: boolean
}

function readBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
  const ticks = line.trim().split(/\s+/).slice(1).map(Number)
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const busy = ticks
    .slice(0, 8)
    .reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0)
  return busy * 10
}

/** Starts watching; `stop` returns the load seen since, excluding the processes in `pids`. */
export function watchMachineLoad(pids: number[]): { stop(): MachineLoad } {
  const started = performance.now()
  const busyStart = readBusyMs()
  const ownStart = pids.reduce((sum, pid) => sum + readCpuMs(pid), 0)
  return {
    stop(): MachineLoad {
      const elapsedMs = Math.max(1, performance.now() - started)
      const busyMs = readBusyMs() - busyStart
      const ownMs = pids.reduce((sum, pid) => sum + readCpuMs(pid), 0) - ownStart
      const otherCores = Math.max(0, Math.min(cpus().length, (busyMs - ownMs) / elapsedMs))
      return { otherCores, loadAverage: loadavg()[0] ?? 0, isBusy: otherCores > busyThresholdCores }
    },
  }
}

/**
 * Waits until the machine is quiet apart from `pids` for a half-second sample, or `timeoutMs`
 * passed; returns the last sample's load.
 */
export async function waitForQuiet(pids: number[], timeoutMs: number): Promise<MachineLoad> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const watch = watchMachineLoad(pids)
    await new Promise((resolve) => setTimeout(resolve, 500))
    const load = watch.stop()
    if (!load.isBusy || performance.now() >= deadline) return load
  }
}
