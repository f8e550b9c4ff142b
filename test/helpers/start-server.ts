// Real servers for tests: in-process (createCollabServer + LevelDB in a temp dir) or as a child
// process running the real command (for restarts, SIGKILL and CLI tests).
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { TestContext } from 'node:test'
import { editorFormats } from '../../content/editor-formats.js'
import { openLevelDbStore } from '../../persistence/leveldb/store.js'
import type { DocStore } from '../../persistence/store.js'
import {
  type Authenticate,
  type CollabObserver,
  type CollabServer,
  type CollabServerOptions,
  createCollabServer,
  type ServerLimits,
} from '../../server/index.js'
import { makeTempDir } from './tmp-dir.js'
import { until } from './until.js'
import { deferCleanup } from './cleanup.js'
import { collectLogs } from './collect-logs.js'
import { RecordedEvents } from './recorded-events.js'

/** A server running in this process. */
export interface TestServer {
  server: CollabServer
  store: DocStore
  dataDirectory: string
  url: string
  port: number
  /** Every log record, parsed. */
  logs: Array<Record<string, unknown>>
  /** Every observer event, in order (test/helpers/recorded-events.ts). */
  events: RecordedEvents
  /** Closes server and store (also done after the test). */
  stop(): Promise<void>
}

/** Options of `startServer`. */
export interface StartServerOptions {
  dataDirectory?: string
  limits?: Partial<ServerLimits>
  /** Wraps the real store, e.g. to inject a write failure. */
  wrapStore?: (store: DocStore) => DocStore
  /** Directory of static files to serve over HTTP (e.g. the built editor). */
  staticDirectory?: string
  authenticate?: Authenticate
  allowedOrigins?: CollabServerOptions['allowedOrigins']
  /** Serve https/wss with this certificate; `url` is then a wss:// URL. */
  tls?: CollabServerOptions['tls']
  /** Observers besides the one that records `events`. */
  observers?: CollabObserver[]
  /** Proxies whose X-Forwarded-For names the client (server/limits/client-address.ts). */
  trustedProxies?: readonly string[]
  metrics?: CollabServerOptions['metrics']
  hooks?: CollabServerOptions['hooks']
  versionRetention?: CollabServerOptions['versionRetention']
}

/**
 * Starts a server on 127.0.0.1 with a free port, a real LevelDB store and the editor's content
 * formats. Documents unload 50 ms after their last client left unless `limits` say otherwise.
 */
export async function startServer(
  t: TestContext,
  options: StartServerOptions = {},
): Promise<TestServer> {
  const dataDirectory = options.dataDirectory ?? (await makeTempDir(t))
  const realStore = await openLevelDbStore({ directory: dataDirectory })
  const store = options.wrapStore ? options.wrapStore(realStore) : realStore
  const { logger, logs } = collectLogs()
  const events = new RecordedEvents()
  const server = createCollabServer({
    store,
    logger,
    limits: { unloadGraceMs: 50, ...options.limits },
    staticDirectory: options.staticDirectory,
    authenticate: options.authenticate,
    allowedOrigins: options.allowedOrigins,
    tls: options.tls,
    observers: [events.observer, ...(options.observers ?? [])],
    trustedProxies: options.trustedProxies,
    metrics: options.metrics,
    hooks: options.hooks,
    formats: editorFormats,
    versionRetention: options.versionRetention,
  })
  const address = await server.listen(0, '127.0.0.1')
  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => (stopped ??= server.close().then(() => realStore.close()))
  deferCleanup(t, stop)
  return {
    server,
    store,
    dataDirectory,
    url: `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${address.port}`,
    port: address.port,
    logs,
    events,
    stop,
  }
}

/** The server command running as a child process. */
export interface ServerProcess {
  child: ChildProcess
  url: string
  port: number
  /** Everything the process wrote, stdout and stderr. */
  output(): string
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>
}

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url))

/** Runs `cli/main.ts` with these arguments and waits for it to exit (for CLI error tests). */
export async function runCommand(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  const child = spawnCommand(args, env)
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const [code] = (await once(child, 'exit')) as [number | null]
  return { code, output }
}

/** Runs the command expecting a refused start: its exit code and the one line it printed. */
export async function runRefusal(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; line: string }> {
  const { code, output } = await runCommand(args, env)
  const lines = output.trim().split('\n')
  if (lines.length !== 1) throw new Error(`one line expected, got:\n${output}`)
  return { code, line: lines[0] ?? '' }
}

function spawnCommand(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/**
 * Starts the server command on a free port with `dataDirectory` (null: no --data, for a store
 * that `args` name) and waits until it listens. The process is killed after the test if it is
 * still running.
 */
export async function spawnServer(
  t: TestContext,
  dataDirectory: string | null,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<ServerProcess> {
  const data = dataDirectory === null ? [] : ['--data', dataDirectory]
  const child = spawnCommand(
    ['--port', '0', '--host', '127.0.0.1', ...data, '--log-level', 'info', ...args],
    env,
  )
  let output = ''
  let port = 0
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
    const match = /"port":(\d+)/.exec(output)
    if (match && port === 0) port = Number(match[1])
  })
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string)
  deferCleanup(t, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    return exited.then(() => undefined)
  })
  await Promise.race([
    until(() => port !== 0, { timeoutMs: 20_000, what: 'the server to listen' }),
    exited.then((code) => {
      throw new Error(`server exited with ${code} before listening:\n${output}`)
    }),
  ])
  return { child, url: `ws://127.0.0.1:${port}`, port, output: () => output, exited }
}
