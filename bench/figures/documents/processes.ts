// Child processes for document-figures.ts: the real server command on a free port, and the
// operator CLI's commands, each timed. Every child is tracked so that a failing run kills what it
// started, by PID; nothing is killed by name.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'

/** Children still running, killed by `killAll` whatever happened. */
const running = new Set<ChildProcess>()

/**
 * The arguments that run `cli` with this Node: `--import tsx` first for a TypeScript entry
 * (cli/main.ts), none for a built one (dist/cli.js).
 */
export const nodeArgs = (cli: string): string[] =>
  cli.endsWith('.ts') ? ['--import', 'tsx', cli] : [cli]

/** A port nothing listens on right now: the kernel's pick for port 0, released at once. */
export async function freePort(): Promise<number> {
  const probe = createServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const address = probe.address()
  probe.close()
  await once(probe, 'close')
  if (address === null || typeof address === 'string') throw new Error('no port from the kernel')
  return address.port
}

/** A server process started by `startServer`. */
export interface ServerProcess {
  readonly pid: number
  /** `http://127.0.0.1:<port>`. */
  readonly httpUrl: string
  /** `ws://127.0.0.1:<port>`; a document is its path. */
  readonly wsUrl: string
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with how long it took to exit. */
  stop(timeoutMs?: number): Promise<{ ms: number; exit: string }>
}

/** How a child ended: "exit code 0" or "signal SIGKILL". */
const exitOf = ([code, signal]: unknown[]): string =>
  typeof code === 'number' ? `exit code ${code}` : `signal ${String(signal)}`

/** Keeps the last `maxChars` characters a stream wrote, for error messages. */
function tail(stream: NodeJS.ReadableStream | null, maxChars = 4_000): () => string {
  let text = ''
  stream?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-maxChars)
  })
  return () => text.trim()
}

async function answersHealth(httpUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${httpUrl}/healthz`, { signal: AbortSignal.timeout(2_000) })
    await response.body?.cancel()
    return response.ok
  } catch {
    return false
  }
}

/**
 * Starts `node [--import tsx] <cli> --port <free> --host 127.0.0.1 --data <dataDirectory>
 * --log-level warn` and resolves once GET /healthz answers 200. The caller stops it.
 */
export async function startServer(
  cli: string,
  dataDirectory: string,
  timeoutMs = 60_000,
): Promise<ServerProcess> {
  const port = await freePort()
  const args = ['--port', String(port), '--host', '127.0.0.1', '--data', dataDirectory]
  const child = spawn(process.execPath, [...nodeArgs(cli), ...args, '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not start ${cli}`)
  running.add(child)
  const output = tail(child.stdout)
  const errors = tail(child.stderr)
  let exit: string | undefined
  const exited = once(child, 'exit').then((result) => {
    running.delete(child)
    exit = exitOf(result)
    return exit
  })
  const httpUrl = `http://127.0.0.1:${port}`
  const deadline = Date.now() + timeoutMs
  while (!(await answersHealth(httpUrl))) {
    if (exit !== undefined) {
      throw new Error(`server ${exit} before answering: ${errors()} ${output()}`)
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`server did not answer /healthz within ${timeoutMs} ms: ${errors()}`)
    }
    await delay(50)
  }
  return {
    pid,
    httpUrl,
    wsUrl: `ws://127.0.0.1:${port}`,
    stop: async (stopTimeoutMs = 60_000) => {
      const startedAt = performance.now()
      if (exit === undefined) child.kill('SIGTERM')
      const ended = await Promise.race([exited, delay(stopTimeoutMs, undefined, { ref: false })])
      if (ended === undefined) {
        child.kill('SIGKILL')
        throw new Error(`server ${pid} did not exit within ${stopTimeoutMs} ms of SIGTERM`)
      }
      if (ended !== 'exit code 0') throw new Error(`server ${pid} ended with ${ended}: ${errors()}`)
      return { ms: performance.now() - startedAt, exit: ended }
    },
  }
}

/** What a CLI command printed and how long it ran, start-up included. */
export interface CommandRun {
  ms: number
  stdout: string
}

/**
 * Runs `node [--import tsx] <cli> ...args` to its end; rejects when it exits non-zero or runs
 * longer than `timeoutMs` (then it is killed).
 */
export async function runCommand(
  cli: string,
  args: readonly string[],
  timeoutMs = 300_000,
): Promise<CommandRun> {
  const startedAt = performance.now()
  const child = spawn(process.execPath, [...nodeArgs(cli), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  const errors = tail(child.stderr)
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const exit = exitOf(await once(child, 'exit'))
  const ms = performance.now() - startedAt
  clearTimeout(timer)
  running.delete(child)
  if (exit !== 'exit code 0') {
    throw new Error(`${cli} ${args.join(' ')}: ${exit} after ${Math.round(ms)} ms: ${errors()}`)
  }
  return { ms, stdout }
}

/** SIGKILLs every child still running (by its PID) and waits until each has ended. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      const exited = once(child, 'exit')
      child.kill('SIGKILL')
      await exited
    }),
  )
}
