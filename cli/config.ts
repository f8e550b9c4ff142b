// Command-line flags and environment variables (flags win) → a validated Config.
// commander reads the environment variables from process.env.
import { readFileSync } from 'node:fs'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { TrustedProxies } from '../server/limits/client-address.js'
import { defaultLimits, type ServerLimits } from '../server/options.js'
import { type VersionRetention, defaultVersionRetention } from '../server/index.js'
import { type LogLevel, logLevels } from '../server/logger.js'
import { parseCount, parseVersionRetention } from './flag-values.js'
import { connectionsWithinOpenFiles, readOpenFileLimit } from './open-file-limit.js'
import { type ClusterConfig, addClusterOptions, readClusterConfig } from './cluster-config.js'
import { type PostgresConfig, addPostgresOptions, readPostgresConfig } from './postgres-config.js'
import { type SecurityConfig, addSecurityOptions, readSecurityConfig } from './security-config.js'
import { type WebhookConfig, addWebhookOptions, readWebhookConfig } from './webhook-config.js'

/** Everything the server process is configured with. */
export interface Config {
  port: number
  host: string
  /** The LevelDB store's directory; unused with `postgres`. */
  dataDirectory: string
  /** The PostgreSQL store (--postgres) instead of LevelDB's; null: LevelDB. */
  postgres: PostgresConfig | null
  /** The cluster's bus (--redis); null: a single instance. */
  cluster: ClusterConfig | null
  logLevel: LogLevel
  syncWrites: boolean
  limits: ServerLimits
  /** CIDR ranges of the proxies whose X-Forwarded-For is believed (--trust-proxy). */
  trustedProxies: string[]
  security: SecurityConfig
  /** Serve Prometheus metrics at GET /metrics (--metrics). */
  metrics: boolean
  /** How long automatic and restore versions are kept (--version-retention). */
  versionRetention: VersionRetention
  /** Where document events are POSTed; null: webhooks are off. */
  webhooks: WebhookConfig | null
}

/** Where the server keeps its documents unless --data / DATA_DIR say otherwise. */
export const defaultDataDirectory = './data'

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

// For limits that 0 turns off.
function parseCountOrOff(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number (0: off).')
  return Number(value)
}

function parseBytesOrOff(value: string): number {
  return /^0+$/.test(value.trim()) ? 0 : parseBytes(value)
}

function parseProxyRanges(value: string): string[] {
  const ranges = value.split(',').map((range) => range.trim())
  try {
    new TrustedProxies(ranges)
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`)
  }
  return ranges
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

/** One flag per server limit, each filling the ServerLimits field it is listed under. */
const limitOptions: ReadonlyArray<[keyof ServerLimits, Option]> = (
  [
    [
      'maxFrameBytes',
      '--max-frame-bytes <size>',
      'MAX_FRAME_BYTES',
      'largest WebSocket frame accepted (larger: close 1009)',
      parseBytes,
    ],
    [
      'maxBufferedBytes',
      '--max-buffered-bytes <size>',
      'MAX_BUFFERED_BYTES',
      'unsent bytes after which a slow connection is closed (1013)',
      parseBytes,
    ],
    [
      'maxAwarenessBytes',
      '--max-awareness-bytes <size>',
      'MAX_AWARENESS_BYTES',
      'largest awareness update accepted (larger: close 1009)',
      parseBytes,
    ],
    [
      'maxConnectionsPerRoom',
      '--max-connections-per-room <count>',
      'MAX_CONNECTIONS_PER_ROOM',
      'connections one document accepts (more: HTTP 503)',
      parseCount,
    ],
    [
      'heartbeatIntervalMs',
      '--heartbeat-ms <ms>',
      'HEARTBEAT_MS',
      'ping interval; a connection missing a pong is dropped',
      parseCount,
    ],
    [
      'unloadGraceMs',
      '--unload-grace-ms <ms>',
      'UNLOAD_GRACE_MS',
      'how long an empty document stays loaded',
      parseCount,
    ],
    [
      'compactAfterUpdates',
      '--compact-after-updates <count>',
      'COMPACT_AFTER_UPDATES',
      'compact a document log after this many updates',
      parseCount,
    ],
    [
      'compactAfterBytes',
      '--compact-after-bytes <size>',
      'COMPACT_AFTER_BYTES',
      'compact a document log once it passes the compacted state in size, and at least this many bytes',
      parseBytes,
    ],
    [
      'compactMinIntervalMs',
      '--compact-min-interval-ms <ms>',
      'COMPACT_MIN_INTERVAL_MS',
      'compact an open document at most this often',
      parseCount,
    ],
    [
      'drainDelayMs',
      '--drain-delay-ms <ms>',
      'DRAIN_DELAY_MS',
      'on SIGTERM, answer /readyz 503 this long before refusing upgrades (load balancers notice)',
      parseCountOrOff,
    ],
    [
      'shutdownTimeoutMs',
      '--shutdown-timeout-ms <ms>',
      'SHUTDOWN_TIMEOUT_MS',
      'on SIGTERM, drop clients still connected after this',
      parseCount,
    ],
    [
      'maxConnections',
      '--max-connections <count>',
      'MAX_CONNECTIONS',
      'WebSocket connections in all (more: HTTP 429); by default lowered below the open-file limit',
      parseCount,
    ],
    [
      'maxConnectionsPerIp',
      '--max-connections-per-ip <count>',
      'MAX_CONNECTIONS_PER_IP',
      'WebSocket connections per client address (more: HTTP 429; 0: off)',
      parseCountOrOff,
    ],
    [
      'maxOpenDocuments',
      '--max-open-documents <count>',
      'MAX_OPEN_DOCUMENTS',
      'documents loaded at once (a connection to another: HTTP 503)',
      parseCount,
    ],
    [
      'maxMessagesPerSecond',
      '--max-messages-per-second <count>',
      'MAX_MESSAGES_PER_SECOND',
      'frames a connection may send per second, bursts of 10 s (faster: close 4429; 0: off)',
      parseCountOrOff,
    ],
    [
      'maxBytesPerSecond',
      '--max-bytes-per-second <size>',
      'MAX_BYTES_PER_SECOND',
      'bytes a connection may send per second, bursts of 10 s (faster: close 4429; 0: off)',
      parseBytesOrOff,
    ],
    [
      'maxDocumentBytes',
      '--max-document-bytes <size>',
      'MAX_DOCUMENT_BYTES',
      'encoded size a document may grow to (an update past it: close 4413)',
      parseBytes,
    ],
    [
      'handshakeTimeoutMs',
      '--handshake-timeout-ms <ms>',
      'HANDSHAKE_TIMEOUT_MS',
      'time for request headers, and for an upgrade to authenticate and load',
      parseCount,
    ],
    [
      'maxNestingDepth',
      '--max-nesting-depth <count>',
      'MAX_NESTING_DEPTH',
      'shared types nested within each other (deeper update: close 1007)',
      parseCount,
    ],
    [
      'maxPendingBytes',
      '--max-pending-bytes <size>',
      'MAX_PENDING_BYTES',
      'content a document may hold that waits for content it lacks (more: close 1007)',
      parseBytes,
    ],
    [
      'maxAwarenessClientsPerConnection',
      '--max-awareness-clients-per-connection <count>',
      'MAX_AWARENESS_CLIENTS_PER_CONNECTION',
      'awareness client ids one connection may own (more: refused; repeated: close 1008)',
      parseCount,
    ],
    [
      'maxAwarenessStatesPerRoom',
      '--max-awareness-states-per-room <count>',
      'MAX_AWARENESS_STATES_PER_ROOM',
      'awareness states one document holds (more: refused)',
      parseCount,
    ],
    [
      'versionIntervalMs',
      '--version-interval-ms <ms>',
      'VERSION_INTERVAL_MS',
      'while a document is edited, save an automatic version this long after its first change since the last one',
      parseCount,
    ],
    [
      'maxRequestBytes',
      '--max-request-bytes <size>',
      'MAX_REQUEST_BYTES',
      'largest request body of the document API (larger: HTTP 413)',
      parseBytes,
    ],
    [
      'maxRoomAwarenessBytes',
      '--max-room-awareness-bytes <size>',
      'MAX_ROOM_AWARENESS_BYTES',
      'bytes of awareness state one document holds (more: refused)',
      parseBytes,
    ],
  ] as const
).map(([key, flag, env, description, parse]) => [
  key,
  new Option(flag, description).env(env).default(defaultLimits[key]).argParser(parse),
])

/** The version in package.json: one directory up from cli/config.ts and from dist/cli.js alike. */
function packageVersion(): string {
  const packageJson = readFileSync(new URL('../package.json', import.meta.url), 'utf8')
  return (JSON.parse(packageJson) as { version: string }).version
}

function buildProgram(): Command {
  const program = new Command('collab-server')
    .description(
      'Real-time collaboration server for Yjs documents (y-websocket protocol) with LevelDB or PostgreSQL persistence.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
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
      new Option('--data <dir>', 'LevelDB data directory')
        .env('DATA_DIR')
        .default(defaultDataDirectory),
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .env('LOG_LEVEL')
        .default('info')
        .choices(logLevels),
    )
    .addOption(
      new Option(
        '--fsync [bool]',
        'fsync every write before relaying it (survives power loss, slower)',
      )
        .env('FSYNC')
        .default(false)
        .preset(true)
        .argParser(parseBoolean),
    )
  addPostgresOptions(program)
  addClusterOptions(program)
  for (const [, option] of limitOptions) program.addOption(option)
  program.addOption(
    new Option(
      '--trust-proxy <cidrs>',
      'proxies whose X-Forwarded-For names the client, e.g. 127.0.0.1/32,10.0.0.0/8,::1/128',
    )
      .env('TRUST_PROXY')
      .default([], 'none: X-Forwarded-For is ignored')
      .argParser(parseProxyRanges),
  )
  program.addOption(
    new Option(
      '--version-retention <age|count>',
      'keep automatic and restore versions this long (30d, 12h, 2w) or this many (50); named versions stay until deleted',
    )
      .env('VERSION_RETENTION')
      .default(defaultVersionRetention, '30d')
      .argParser(parseVersionRetention),
  )
  program.addOption(
    new Option('--metrics [bool]', 'serve Prometheus metrics at GET /metrics')
      .env('METRICS')
      .default(true)
      .preset(true)
      .argParser(parseBoolean),
  )
  addSecurityOptions(program)
  addWebhookOptions(program)
  program.addHelpText(
    'after',
    '\nCommands (collab-server <command> --help): token, list, export, import, versions, restore,\n' +
      'inspect, compact, backup, restore-backup. Without one, collab-server runs the server.',
  )
  return program.helpOption('-h, --help', 'show this help').showHelpAfterError(false).exitOverride()
}

/** Result of reading the command line: run with a config, or exit now (after --help, --version). */
export type ParsedCommandLine = { kind: 'run'; config: Config } | { kind: 'exit'; code: number }

/**
 * Parses `args` with a command built with `exitOverride`. Returns false when it printed help or
 * the version (the caller exits 0); throws ConfigError with a one-line message naming `helpHint`
 * for a bad flag or value.
 */
export function parseFlags(
  program: Command,
  args: readonly string[],
  print: (text: string) => void,
  helpHint: string,
): boolean {
  program.configureOutput({ writeOut: print, writeErr: () => undefined })
  try {
    program.parse(args, { from: 'user' })
    return true
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return false
    throw new ConfigError(`${error.message.replace(/^error: /, '')} (see ${helpHint})`)
  }
}

/**
 * Reads flags (argv without node and script) and environment variables. Throws ConfigError
 * with a one-line message for any bad value. Unless set, --max-connections is lowered to fit
 * `openFileLimit`, the process's own by default (cli/open-file-limit.ts).
 */
export function parseCommandLine(
  args: readonly string[],
  print: (text: string) => void,
  openFileLimit: number | undefined = readOpenFileLimit(),
): ParsedCommandLine {
  const program = buildProgram()
  if (!parseFlags(program, args, print, '--help')) return { kind: 'exit', code: 0 }
  const value = <T>(name: string): T => program.getOptionValue(name) as T
  const security = readSecurityConfig(program)
  if (typeof security === 'string') throw new ConfigError(security)
  const webhooks = readWebhookConfig(program)
  if (typeof webhooks === 'string') throw new ConfigError(webhooks)
  const postgres = readPostgresConfig(program)
  if (typeof postgres === 'string') throw new ConfigError(postgres)
  const cluster = readClusterConfig(program, postgres !== null)
  if (typeof cluster === 'string') throw new ConfigError(cluster)
  const limits = { ...defaultLimits }
  for (const [key, option] of limitOptions) limits[key] = value<number>(option.attributeName())
  if (program.getOptionValueSource('maxConnections') === 'default') {
    limits.maxConnections = connectionsWithinOpenFiles(limits.maxConnections, openFileLimit)
  }
  return {
    kind: 'run',
    config: {
      port: value('port'),
      host: value('host'),
      dataDirectory: value('data'),
      postgres,
      cluster,
      logLevel: value('logLevel'),
      syncWrites: value('fsync'),
      limits,
      trustedProxies: value('trustProxy'),
      versionRetention: value('versionRetention'),
      security,
      metrics: value('metrics'),
      webhooks,
    },
  }
}
