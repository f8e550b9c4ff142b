// The server under fuzz as a child process: a crash is an exit we see, its memory is read from
// /proc, its error logs are counted. Started with the limits the predictions assume.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import type { FuzzLimits } from './expectation.js'
import { canConnect, freePort } from '../test/helpers/loopback-ports.js'

const host = '127.0.0.1'
const readyTimeoutMs = 30_000
const sampleIntervalMs = 250
const outputTailBytes = 16_384

/** How to start the server, and on which data. */
export interface ServerLaunch {
  /** Node arguments before the server's flags: `['dist/cli.js']`, or `['--import', 'tsx', 'cli/main.ts']`. */
  readonly entry: readonly string[]
  /** Working directory the entry is relative to. */
  readonly cwd: string
  readonly dataDirectory: string
  readonly limits: FuzzLimits
  readonly unloadGraceMs: number
}

/** The flags the soak runs the server with (see README.md, Fuzzing). */
export function serverFlags(launch: ServerLaunch, port: number): string[] {
  const { limits } = launch
  return [
    ...['--port', String(port), '--host', host, '--data', launch.dataDirectory],
    // Only errors: a warning per refused frame would be a million lines.
    ...['--log-level', 'error'],
    // One address sends everything as fast as it can: the per-address and rate limits would
    // close it within a second and the soak would measure the limiter, not the parsing.
    ...[
      '--max-connections-per-ip',
      '0',
      '--max-messages-per-second',
      '0',
      '--max-bytes-per-second',
      '0',
    ],
    // The limits a frame can cross, lowered so that crossing them is cheap.
    ...['--max-frame-bytes', String(limits.maxFrameBytes)],
    ...['--max-awareness-bytes', String(limits.maxAwarenessBytes)],
    ...['--max-document-bytes', String(limits.maxDocumentBytes)],
    ...['--max-pending-bytes', String(limits.maxPendingBytes)],
    ...['--max-nesting-depth', String(limits.maxNestingDepth)],
    ...['--max-awareness-clients-per-connection', String(limits.maxAwarenessClientsPerConnection)],
    // Documents unload and load again all the time, so loads of fuzzed state are exercised too.
    ...['--unload-grace-ms', String(launch.unloadGraceMs)],
  ]
}

function readRssBytes(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

// User plus system time, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 a second on
// Linux); the name field before them may hold spaces, so fields are counted after its ')'.
function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return undefined
  }
}

/** A running server process. */
export class ServerProcess {
  readonly url: string
  readonly pid: number
  /** Resolves with the exit code, or the signal's name. */
  readonly exited: Promise<number | string>
  /** Error-level log lines by message. */
  readonly errorLogs = new Map<string, number>()
  /** The first error-level line of each message, cut short. */
  readonly errorSamples = new Map<string, string>()
  peakRssBytes = 0
  lastRssBytes = 0
  /** CPU time the process has used, as last sampled. */
  cpuSeconds = 0
  readonly #child: ChildProcess
  #output = ''
  #pendingLine = ''
  readonly #sampler: NodeJS.Timeout

  private constructor(child: ChildProcess, port: number) {
    this.#child = child
    this.pid = child.pid ?? 0
    this.url = `ws://${host}:${port}`
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
    )
    child.stdout?.on('data', (chunk: Buffer) => this.#takeOutput(chunk.toString('utf8'), true))
    child.stderr?.on('data', (chunk: Buffer) => this.#takeOutput(chunk.toString('utf8'), false))
    this.#sampler = setInterval(() => this.#sample(), sampleIntervalMs)
    void this.exited.then(() => clearInterval(this.#sampler))
  }

  /** Starts the server and resolves once it accepts connections; rejects if it exits first. */
  static async start(launch: ServerLaunch): Promise<ServerProcess> {
    const port = await freePort()
    const child = spawn(process.execPath, [...launch.entry, ...serverFlags(launch, port)], {
      cwd: launch.cwd,
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const server = new ServerProcess(child, port)
    const deadline = Date.now() + readyTimeoutMs
    while (!(await canConnect(port))) {
      if (server.hasExited()) {
        throw new Error(`the server exited with ${await server.exited}:\n${server.outputTail()}`)
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL')
        throw new Error(`the server did not listen within ${readyTimeoutMs} ms`)
      }
      await delay(50)
    }
    return server
  }

  hasExited(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null
  }

  /** The last lines the process wrote (stdout and stderr). */
  outputTail(): string {
    return this.#output
  }

  /** SIGTERM (a graceful shutdown), SIGKILL after `timeoutMs`; resolves with the exit code. */
  async stop(timeoutMs: number): Promise<number | string> {
    if (!this.hasExited()) {
      this.#sample()
      this.#child.kill('SIGTERM')
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs)
      await this.exited
      clearTimeout(timer)
    }
    return this.exited
  }

  /** Kills the process at once (after a failure, or when the fuzzer is interrupted). */
  kill(): void {
    if (!this.hasExited()) this.#child.kill('SIGKILL')
  }

  #sample(): void {
    this.cpuSeconds = readCpuSeconds(this.pid) ?? this.cpuSeconds
    const rss = readRssBytes(this.pid)
    if (rss === undefined) return
    this.lastRssBytes = rss
    this.peakRssBytes = Math.max(this.peakRssBytes, rss)
  }

  #takeOutput(text: string, isLog: boolean): void {
    this.#output = (this.#output + text).slice(-outputTailBytes)
    if (!isLog) return
    const lines = (this.#pendingLine + text).split('\n')
    this.#pendingLine = lines.pop() ?? ''
    for (const line of lines) this.#countErrorLog(line)
  }

  #countErrorLog(line: string): void {
    let record: { level?: unknown; msg?: unknown }
    try {
      record = JSON.parse(line) as typeof record
    } catch {
      return
    }
    if (typeof record.level === 'number' && record.level >= 50) {
      const message = String(record.msg)
      this.errorLogs.set(message, (this.errorLogs.get(message) ?? 0) + 1)
      if (!this.errorSamples.has(message)) this.errorSamples.set(message, line.slice(0, 600))
    }
  }
}
