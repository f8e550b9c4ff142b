// Command-line flags and environment variables (flags win) → a validated Config.
// The only place besides main.ts that reads process.env.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { defaultLimits, type ServerLimits } from '../server/options.js'
import { type LogLevel, logLevels } from '../server/logger.js'

/** Everything the server process is configured with. */
export interface Config {
  port: number
  host: string
  dataDirectory: string
  logLevel: LogLevel
  syncWrites: boolean
  limits: ServerLimits
}

/** A configuration the process cannot start with; main prints the message and exits 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

const byteUnits: Record<string, number> = {
  '': 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535.')
  }
  return Number(value)
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new InvalidArgumentError('expected a whole number of at least 1.')
  }
  return Number(value)
}

function parseBytes(value: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(value.trim())
  const unit = byteUnits[match?.[2]?.toLowerCase() ?? 'x']
  if (!match || unit === undefined || Number(match[1]) < 1) {
    throw new InvalidArgumentError('expected a size such as 16777216, 512KiB or 16MiB.')
  }
  return Number(match[1]) * unit
}

function parseBoolean(value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true
  if (/^(0|false|no|off)$/i.test(value)) return false
  throw new InvalidArgumentError('expected true or false.')
}

function limitOption(
  flag: string,
  env: string,
  description: string,
  parse: (value: string) => number,
  fallback: number,
): Option {
  return new Option(flag, description).env(env).default(fallback).argParser(parse)
}

function buildProgram(): Command {
  return new Command('collab-server')
    .description(
      'Real-time collaboration server for Yjs documents (y-websocket protocol) with LevelDB persistence.',
    )
    .addOption(
      new Option('--port <number>', 'port to listen on')
        .env('PORT')
        .default(1234)
        .argParser(parsePort),
    )
    .addOption(
      new Option('--host <name>', 'interface to listen on (0.0.0.0 for all)')
        .env('HOST')
        .default('localhost'),
    )
    .addOption(
      new Option('--data <dir>', 'LevelDB data directory').env('DATA_DIR').default('./data'),
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .env('LOG_LEVEL')
        .default('info')
        .choices(logLevels),
    )
    .addOption(
      new Option('--fsync [bool]', 'fsync every write batch (survives power loss, slower)')
        .env('FSYNC')
        .default(false)
        .preset(true)
        .argParser(parseBoolean),
    )
    .addOption(
      limitOption(
        '--max-frame-bytes <size>',
        'MAX_FRAME_BYTES',
        'largest WebSocket frame accepted (larger: close 1009)',
        parseBytes,
        defaultLimits.maxFrameBytes,
      ),
    )
    .addOption(
      limitOption(
        '--max-buffered-bytes <size>',
        'MAX_BUFFERED_BYTES',
        'unsent bytes after which a slow connection is closed (1013)',
        parseBytes,
        defaultLimits.maxBufferedBytes,
      ),
    )
    .addOption(
      limitOption(
        '--max-awareness-bytes <size>',
        'MAX_AWARENESS_BYTES',
        'largest awareness update accepted (larger: close 1009)',
        parseBytes,
        defaultLimits.maxAwarenessBytes,
      ),
    )
    .addOption(
      limitOption(
        '--max-connections-per-room <count>',
        'MAX_CONNECTIONS_PER_ROOM',
        'connections one document accepts (more: HTTP 503)',
        parseCount,
        defaultLimits.maxConnectionsPerRoom,
      ),
    )
    .addOption(
      limitOption(
        '--heartbeat-ms <ms>',
        'HEARTBEAT_MS',
        'ping interval; a connection missing a pong is dropped',
        parseCount,
        defaultLimits.heartbeatIntervalMs,
      ),
    )
    .addOption(
      limitOption(
        '--unload-grace-ms <ms>',
        'UNLOAD_GRACE_MS',
        'how long an empty document stays loaded',
        parseCount,
        defaultLimits.unloadGraceMs,
      ),
    )
    .addOption(
      limitOption(
        '--compact-after-updates <count>',
        'COMPACT_AFTER_UPDATES',
        'compact a document log after this many updates',
        parseCount,
        defaultLimits.compactAfterUpdates,
      ),
    )
    .addOption(
      limitOption(
        '--compact-after-bytes <size>',
        'COMPACT_AFTER_BYTES',
        'compact a document log after this many bytes',
        parseBytes,
        defaultLimits.compactAfterBytes,
      ),
    )
    .addOption(
      limitOption(
        '--shutdown-timeout-ms <ms>',
        'SHUTDOWN_TIMEOUT_MS',
        'on SIGTERM, drop clients still connected after this',
        parseCount,
        defaultLimits.shutdownTimeoutMs,
      ),
    )
    .helpOption('-h, --help', 'show this help')
    .showHelpAfterError(false)
    .exitOverride()
}

/** Result of reading the command line: run with a config, or exit now (after --help). */
export type ParsedCommandLine = { kind: 'run'; config: Config } | { kind: 'exit'; code: number }

/**
 * Reads flags (argv without node and script) and environment variables. Throws ConfigError
 * with a one-line message for any bad value.
 */
export function parseCommandLine(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  print: (text: string) => void,
): ParsedCommandLine {
  const program = buildProgram()
  program.configureOutput({ writeOut: print, writeErr: () => undefined })
  const savedEnv = process.env
  try {
    // commander reads environment variables from process.env only.
    process.env = env
    program.parse(args, { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
        return { kind: 'exit', code: 0 }
      }
      throw new ConfigError(`${error.message.replace(/^error: /, '')} (see --help)`)
    }
    throw error
  } finally {
    process.env = savedEnv
  }
  const flags = program.opts<Record<string, unknown>>()
  return {
    kind: 'run',
    config: {
      port: flags.port as number,
      host: flags.host as string,
      dataDirectory: flags.data as string,
      logLevel: flags.logLevel as LogLevel,
      syncWrites: flags.fsync as boolean,
      limits: {
        maxFrameBytes: flags.maxFrameBytes as number,
        maxBufferedBytes: flags.maxBufferedBytes as number,
        maxAwarenessBytes: flags.maxAwarenessBytes as number,
        maxConnectionsPerRoom: flags.maxConnectionsPerRoom as number,
        heartbeatIntervalMs: flags.heartbeatMs as number,
        unloadGraceMs: flags.unloadGraceMs as number,
        compactAfterUpdates: flags.compactAfterUpdates as number,
        compactAfterBytes: flags.compactAfterBytes as number,
        shutdownTimeoutMs: flags.shutdownTimeoutMs as number,
      },
    },
  }
}
