// Readings of a server process for the hostile-input figures: memory sampled from
// /proc/<pid>/status, disk writes from /proc/<pid>/io, CPU quiet periods, and deadlines for steps
// that may hang. Linux only.
import { readFileSync } from 'node:fs'
import { statfs } from 'node:fs/promises'
import { setTimeout as delay } from 'node:timers/promises'
import { readCpuMs, readMemoryKb } from '../../../test/helpers/proc-stats.js'

/** Thrown by `withTimeout` when a step did not finish in time. */
export class StepTimeout extends Error {
  override readonly name = 'StepTimeout'
}

/** Resolves or rejects as `promise` does, or rejects with a StepTimeout after `timeoutMs`. */
export async function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StepTimeout(`${what}: no end in ${formatSeconds(timeoutMs)}`)),
      timeoutMs,
    )
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Polls `condition` every `intervalMs` until it holds (true) or `timeoutMs` passed (false). */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 20,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    if (await condition()) return true
    if (performance.now() > deadline) return false
    await delay(intervalMs)
  }
}

/** The RSS of a process in bytes, or undefined once it has ended. */
export function rssBytes(pid: number): number | undefined {
  try {
    return readMemoryKb(pid).rss * 1024
  } catch {
    return undefined
  }
}

/** The peak RSS (VmHWM) of a process in bytes, or undefined once it has ended. */
export function peakRssBytes(pid: number): number | undefined {
  try {
    return readMemoryKb(pid).peak * 1024
  } catch {
    return undefined
  }
}

/** CPU time of a process in ms, or undefined once it has ended. */
export function cpuMs(pid: number): number | undefined {
  try {
    return readCpuMs(pid)
  } catch {
    return undefined
  }
}

interface IoCounters {
  writeBytes: number
  wchar: number
}

function readIo(pid: number): IoCounters | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/io`, 'utf8')
    const field = (name: string): number =>
      Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(text)?.[1] ?? 0)
    return { writeBytes: field('write_bytes'), wchar: field('wchar') }
  } catch {
    return undefined
  }
}

/**
 * Which /proc/<pid>/io counter measures disk writes: `write_bytes` (what reaches the block layer)
 * or, on file systems without one (tmpfs, ramfs), where it stays 0, `wchar` (every byte passed
 * to write(2), sockets included).
 */
export type WriteCounter = 'write_bytes' | 'wchar'

// statfs f_type of the file systems that keep pages in memory only.
const memoryFileSystems = new Set([0x01021994 /* tmpfs */, 0x858458f6 /* ramfs */])

/** The counter that measures writes into `directory` (see WriteCounter). */
export async function writeCounterFor(directory: string): Promise<WriteCounter> {
  const { type } = await statfs(directory)
  return memoryFileSystems.has(type) ? 'wchar' : 'write_bytes'
}

/** Bytes a process wrote, and which counter they come from. */
export interface DiskWritten {
  bytes: number
  counter: WriteCounter
}

/**
 * Samples a process's RSS (every `intervalMs`, default 100) and its I/O counters from `start()`
 * to `stop()`. The counters are read at every sample too, so a process that dies keeps its last
 * figures.
 */
export class ProcessSampler {
  readonly #pid: number
  readonly #counter: WriteCounter
  readonly #intervalMs: number
  #timer: NodeJS.Timeout | undefined
  #startIo: IoCounters = { writeBytes: 0, wchar: 0 }
  #lastIo: IoCounters = { writeBytes: 0, wchar: 0 }
  #startPeak = 0
  #lastPeak = 0
  #maxRss = 0
  #lastRss = 0

  private constructor(pid: number, counter: WriteCounter, intervalMs: number) {
    this.#pid = pid
    this.#counter = counter
    this.#intervalMs = intervalMs
  }

  /** A started sampler of the server `pid` whose data directory is `dataDirectory`. */
  static async start(
    pid: number,
    dataDirectory: string,
    intervalMs = 100,
  ): Promise<ProcessSampler> {
    return new ProcessSampler(pid, await writeCounterFor(dataDirectory), intervalMs).#start()
  }

  // The I/O counters and the peak count from now.
  #start(): this {
    this.#startIo = readIo(this.#pid) ?? this.#startIo
    this.#lastIo = this.#startIo
    this.#startPeak = peakRssBytes(this.#pid) ?? 0
    this.#lastPeak = this.#startPeak
    this.#sample()
    this.#timer = setInterval(() => this.#sample(), this.#intervalMs)
    return this
  }

  /** Stops sampling (after one last sample). */
  stop(): this {
    clearInterval(this.#timer)
    this.#sample()
    return this
  }

  /**
   * The highest RSS since `start()`: the kernel's peak (VmHWM) when it rose meanwhile, which also
   * catches spikes between samples, else the highest sample.
   */
  get peakRss(): number {
    return this.#lastPeak > this.#startPeak ? Math.max(this.#lastPeak, this.#maxRss) : this.#maxRss
  }

  /** The last RSS sampled. */
  get lastRss(): number {
    return this.#lastRss
  }

  /** Bytes written since `start()`, by the counter of the data directory's file system. */
  get written(): DiskWritten {
    const bytes =
      this.#counter === 'wchar'
        ? this.#lastIo.wchar - this.#startIo.wchar
        : this.#lastIo.writeBytes - this.#startIo.writeBytes
    return { bytes, counter: this.#counter }
  }

  #sample(): void {
    const memory = (() => {
      try {
        return readMemoryKb(this.#pid)
      } catch {
        return undefined
      }
    })()
    if (memory) {
      this.#lastRss = memory.rss * 1024
      this.#maxRss = Math.max(this.#maxRss, this.#lastRss)
      this.#lastPeak = memory.peak * 1024
    }
    this.#lastIo = readIo(this.#pid) ?? this.#lastIo
  }
}

/**
 * Waits until the process's CPU time has risen by at most `toleranceMs` over the last `quietMs`
 * and `isSettled` holds. Resolves with the time waited, or rejects with a StepTimeout.
 */
export async function waitForIdle(
  pid: number,
  {
    quietMs = 2_000,
    toleranceMs = 30,
    timeoutMs,
    isSettled = () => true,
  }: {
    quietMs?: number
    toleranceMs?: number
    timeoutMs: number
    isSettled?: () => boolean | Promise<boolean>
  },
): Promise<number> {
  const startedAt = performance.now()
  const samples: Array<{ atMs: number; cpuMs: number }> = []
  for (;;) {
    const now = performance.now()
    const cpu = cpuMs(pid)
    if (cpu === undefined) throw new Error('the server process ended')
    samples.push({ atMs: now, cpuMs: cpu })
    while (samples.length > 1 && now - samples[1]!.atMs >= quietMs) samples.shift()
    const oldest = samples[0]!
    if (now - oldest.atMs >= quietMs && cpu - oldest.cpuMs <= toleranceMs && (await isSettled())) {
      return now - startedAt
    }
    if (now - startedAt > timeoutMs) {
      throw new StepTimeout(`the server was still busy after ${formatSeconds(timeoutMs)}`)
    }
    await delay(250)
  }
}

/** `12.3 MiB` */
export const formatMiB = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`

/** `1.23 s` */
export const formatSeconds = (ms: number): string =>
  ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`

/** `12.3×` */
export const formatRatio = (ratio: number): string => `${ratio.toFixed(2)}×`

/** A written-bytes figure with the counter it comes from when that is not `write_bytes`. */
export function formatWritten(written: DiskWritten): string {
  const note =
    written.counter === 'wchar'
      ? ' (wchar, which counts socket writes too: write_bytes stays 0 on tmpfs)'
      : ''
  return `${formatMiB(written.bytes)}${note}`
}
