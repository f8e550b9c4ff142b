// Starts and stops each server under test as its own child process on a free loopback port, with
// its own persistence switched on in a data directory the caller owns; for ours-ops also the
// operations traffic that goes with it.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { startOpsTraffic } from './ops-traffic.js'
import type { OpsTraffic } from './ops-traffic.js'
import { peerScripts } from './peers.js'
import { isOurs } from './scenarios/types.js'
import type { Figures, ServerInfo, ServerKind, Span } from './scenarios/types.js'
import { canConnect, freePort } from '../test/helpers/loopback-ports.js'

const host = '127.0.0.1'
const readyTimeoutMs = 20_000
const stopTimeoutMs = 15_000

/** Paths of the compiled relay and of our server's snapshot (bench/child-scripts.ts). */
export interface LauncherPaths {
  ours: string
  relay: string
}

/**
 * How to start a server: its data directory and, for ours and its variants, extra node flags
 * (profiling).
 */
export interface StartOptions {
  dataDir: string
  launchers: LauncherPaths
  oursNodeFlags: string[]
  /** Opens the inspector of ours and its variants on a free loopback port (allocation sampling). */
  shouldInspectOurs: boolean
}

/** A server child process; `stop` ends it (SIGTERM, then SIGKILL) and resolves once it exited. */
export interface RunningServer {
  info: ServerInfo
  /** When the process was spawned, in ms since the epoch (a CPU profile starts about then). */
  spawnedAtEpochMs: number
  /** What the orchestrator itself did to the server within `span` (ours-ops); empty otherwise. */
  opsFigures(span: Span): Figures
  stop(): Promise<void>
}

/** ours-bare: no metrics (and, as for ours, no webhooks). */
const bareArgs = ['--metrics', 'false']

const hasExited = (child: ChildProcess): boolean =>
  child.exitCode !== null || child.signalCode !== null

async function waitUntilListening(child: ChildProcess, port: number, kind: ServerKind) {
  const deadline = Date.now() + readyTimeoutMs
  while (Date.now() < deadline) {
    if (hasExited(child)) throw new Error(`${kind} server exited with ${child.exitCode}`)
    if (await canConnect(port)) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${kind} server did not listen on ${port} within ${readyTimeoutMs} ms`)
}

function command(
  kind: ServerKind,
  port: number,
  options: StartOptions,
  variantArgs: string[],
  inspectPort?: number,
) {
  const { dataDir, launchers } = options
  const env = { ...process.env, HOST: host, PORT: String(port), NODE_ENV: 'production' }
  switch (kind) {
    case 'ours':
    case 'ours-bare':
    case 'ours-ops':
      return {
        args: [
          ...options.oursNodeFlags,
          ...(inspectPort === undefined ? [] : [`--inspect=${host}:${inspectPort}`]),
          launchers.ours,
          '--port',
          String(port),
          '--host',
          host,
          '--data',
          dataDir,
          '--log-level',
          'warn',
          '--unload-grace-ms',
          '1000',
          // The load comes from one address, as fast as it can: the abuse limits are for the
          // internet, and the peers have none.
          '--max-connections-per-ip',
          '0',
          '--max-connections',
          '20000',
          '--max-messages-per-second',
          '0',
          '--max-bytes-per-second',
          '0',
          ...variantArgs,
        ],
        env,
      }
    case 'ywebsocket':
      return {
        args: [peerScripts.ywebsocket],
        env: { ...env, YPERSISTENCE: dataDir },
      }
    case 'hocuspocus':
      return {
        args: [peerScripts.hocuspocus],
        env: { ...env, DATABASE: join(dataDir, 'db.sqlite') },
      }
    case 'relay':
      return { args: [launchers.relay], env }
  }
}

/** Starts a server of `kind` and resolves once it accepts TCP connections. */
export async function startServer(kind: ServerKind, options: StartOptions): Promise<RunningServer> {
  const port = await freePort()
  const inspectPort = isOurs(kind) && options.shouldInspectOurs ? await freePort() : undefined
  const ops: OpsTraffic | null = kind === 'ours-ops' ? await startOpsTraffic() : null
  const variantArgs = kind === 'ours-bare' ? bareArgs : (ops?.serverArgs ?? [])
  const { args, env } = command(kind, port, options, variantArgs, inspectPort)
  const spawnedAtEpochMs = Date.now()
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] })
  // A server must not outlive the orchestrator, even when that is interrupted.
  const killOnExit = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', killOnExit)
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', killOnExit)
      resolve()
    }),
  )
  try {
    await waitUntilListening(child, port, kind)
  } catch (error) {
    child.kill('SIGKILL')
    await ops?.close()
    throw error
  }
  ops?.startScraping(`http://${host}:${port}/metrics`)
  const info: ServerInfo = {
    kind,
    pid: child.pid ?? 0,
    baseUrl: `ws://${host}:${port}`,
    protocol: kind === 'hocuspocus' ? 'hocuspocus' : 'y-websocket',
    hasServerState: kind !== 'relay',
    ...(inspectPort === undefined ? {} : { inspectPort }),
  }
  return {
    info,
    spawnedAtEpochMs,
    opsFigures: (span) => ops?.figuresIn(span) ?? {},
    async stop() {
      await ops?.stopScraping()
      if (!hasExited(child)) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs)
        await exited
        clearTimeout(timer)
      }
      await ops?.close()
    },
  }
}
