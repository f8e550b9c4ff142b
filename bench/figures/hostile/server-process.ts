// A built server command (any build's dist/cli.js) as a child process for the hostile-input
// figures: started with the flags every attack shares, found on its port through /proc, and
// stopped with a deadline. Linux only.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, readdirSync, readlinkSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'

/**
 * Flags every attack passes: warnings only, and the per-address and rate limits off, since the
 * whole attack comes from one address as fast as it can (as in bench/run.ts).
 */
export const baseServerArgs = [
  '--log-level',
  'warn',
  '--max-connections-per-ip',
  '0',
  '--max-messages-per-second',
  '0',
  '--max-bytes-per-second',
  '0',
] as const

/** A server process under attack. */
export interface ServerUnderTest {
  readonly pid: number
  readonly port: number
  /** `ws://127.0.0.1:<port>`; a room is its path. */
  readonly url: string
  /** `http://127.0.0.1:<port>`. */
  readonly httpUrl: string
  /** Whether the process is still running. */
  isAlive(): boolean
  /** How the process ended ("exit code 0", "signal SIGKILL"), once it has. */
  exitDescription(): string | undefined
  /** Resolves with `exitDescription()` once the process has ended. */
  readonly exited: Promise<string>
  /** Messages of the warnings and errors it logged (pino level ≥ 40) and what reached stderr. */
  problems(): string[]
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with how it ended and how long it took. */
  stop(timeoutMs?: number): Promise<{ exit: string; ms: number; wasKilled: boolean }>
  /** SIGKILL; resolves once the process has ended. */
  kill(): Promise<string>
}

const maxProblems = 500

/** Reads one pino JSON line; returns its message when it is a warning or worse. */
function problemOf(line: string): string | undefined {
  try {
    const record = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } }
    if ((record.level ?? 0) < 40) return undefined
    const cause = record.err?.message ? ` (${record.err.message})` : ''
    return `${record.msg ?? '(no message)'}${cause}`
  } catch {
    return line.trim() === '' ? undefined : line.trim()
  }
}

/** The TCP port a process listens on, from its socket descriptors and /proc/<pid>/net/tcp*. */
function listeningPort(pid: number): number | undefined {
  const inodes = new Set<string>()
  let descriptors: string[]
  try {
    descriptors = readdirSync(`/proc/${pid}/fd`)
  } catch {
    return undefined
  }
  for (const descriptor of descriptors) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${descriptor}`))
      if (match?.[1]) inodes.add(match[1])
    } catch {
      // The descriptor closed while we looked.
    }
  }
  for (const table of ['tcp', 'tcp6']) {
    let text: string
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st ... inode (field 9); st 0A is LISTEN.
      const fields = line.trim().split(/\s+/)
      const inode = fields[9]
      if (fields[3] === '0A' && inode !== undefined && inodes.has(inode)) {
        return Number.parseInt(fields[1]?.split(':')[1] ?? '', 16)
      }
    }
  }
  return undefined
}

/**
 * Starts `node <cli> --port 0 --host 127.0.0.1 --data <dataDirectory> ...baseServerArgs ...args`
 * and resolves once it listens and answers GET /healthz. The port is read from the log line
 * `"port":N` when the log level prints it, else from /proc (at `warn` the server logs no port).
 * The caller stops it.
 */
export async function startServerProcess(
  cli: string,
  dataDirectory: string,
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<ServerUnderTest> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      cli,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data',
      dataDirectory,
      ...baseServerArgs,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not start ${cli}`)
  const problems: string[] = []
  const addProblem = (message: string | undefined): void => {
    if (message !== undefined && problems.length < maxProblems) problems.push(message)
  }
  let loggedPort = 0
  let stdoutRest = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (stdoutRest + chunk.toString()).split('\n')
    stdoutRest = lines.pop() ?? ''
    for (const line of lines) {
      const match = /"port":(\d+)/.exec(line)
      if (match && loggedPort === 0) loggedPort = Number(match[1])
      addProblem(problemOf(line))
    }
  })
  let stderrRest = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    const lines = (stderrRest + chunk.toString()).split('\n')
    stderrRest = lines.pop() ?? ''
    for (const line of lines) if (line.trim() !== '') addProblem(`stderr: ${line.trim()}`)
  })
  let exit: string | undefined
  const exited = once(child, 'exit').then(([code, signal]) => {
    exit = code === null ? `signal ${String(signal)}` : `exit code ${String(code)}`
    return exit
  })

  const deadline = Date.now() + timeoutMs
  let port = 0
  for (;;) {
    if (exit !== undefined) {
      throw new Error(`server ${exit} before listening: ${problems.slice(-5).join(' | ')}`)
    }
    port ||= loggedPort || (listeningPort(pid) ?? 0)
    if (port !== 0 && (await answersHealth(port))) break
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`server did not answer /healthz within ${timeoutMs} ms`)
    }
    await delay(50)
  }

  const kill = async (): Promise<string> => {
    if (exit === undefined) child.kill('SIGKILL')
    return exited
  }
  return {
    pid,
    port,
    url: `ws://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    isAlive: () => exit === undefined,
    exitDescription: () => exit,
    exited,
    problems: () => [...problems],
    stop: async (stopTimeoutMs = 60_000) => {
      const startedAt = performance.now()
      if (exit !== undefined) return { exit, ms: 0, wasKilled: false }
      child.kill('SIGTERM')
      const ended = await Promise.race([exited, delay(stopTimeoutMs).then(() => undefined)])
      if (ended !== undefined) {
        return { exit: ended, ms: performance.now() - startedAt, wasKilled: false }
      }
      return { exit: await kill(), ms: performance.now() - startedAt, wasKilled: true }
    },
    kill,
  }
}

async function answersHealth(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
      signal: AbortSignal.timeout(2_000),
    })
    await response.body?.cancel()
    return response.ok
  } catch {
    return false
  }
}

/** What GET /healthz answered: the status and the body, or why there was no answer. */
export async function readHealth(
  httpUrl: string,
  timeoutMs = 10_000,
): Promise<{ status: number; body: string; ms: number } | { failure: string; ms: number }> {
  const startedAt = performance.now()
  try {
    const response = await fetch(`${httpUrl}/healthz`, { signal: AbortSignal.timeout(timeoutMs) })
    const body = await response.text()
    return { status: response.status, body, ms: performance.now() - startedAt }
  } catch (error) {
    const failure =
      (error as Error).name === 'TimeoutError'
        ? `no answer in ${timeoutMs / 1000} s`
        : (error as Error).message
    return { failure, ms: performance.now() - startedAt }
  }
}

/** The number of loaded documents /healthz reports, or undefined when it does not answer. */
export async function openDocuments(httpUrl: string): Promise<number | undefined> {
  const health = await readHealth(httpUrl, 5_000)
  if (!('status' in health)) return undefined
  try {
    return (JSON.parse(health.body) as { documents?: number }).documents
  } catch {
    return undefined
  }
}
