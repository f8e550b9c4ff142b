// The collab-server command: configuration → store (LevelDB, or PostgreSQL) → cluster bus (Redis,
// with --redis) → security → server → signals, or `collab-server token …`, or a document command (`list`, `backup`, …: cli/documents/).
// The composition root: the only place that picks the concrete adapters.
import { fileURLToPath } from 'node:url'
import { createPrometheusMetrics } from '../metrics/prometheus.js'
import { type Cluster, createCollabServer } from '../server/index.js'
import { createLogger } from '../server/logger.js'
import { createWebhooks } from '../webhooks/webhooks.js'
import { ConfigError, parseCommandLine } from './config.js'
import { StoreOpenError, openConfiguredStore } from './open-store.js'
import { prepareSecurity } from './security.js'
import { handleShutdownSignals } from './shutdown-signals.js'
import { runTokenCommand } from './token-command.js'
import { keepYoungGenerationSmall } from './young-generation.js'

/** Exit code for a configuration or environment the server cannot start with. */
const exitBadConfig = 2

/** How long a shutdown waits for webhook calls still queued once every document is written. */
const webhookFlushMs = 5_000

function exitWith(message: string, code: number = exitBadConfig): never {
  console.error(`collab-server: ${message}`)
  process.exit(code)
}

const print = (text: string): void => {
  process.stdout.write(text)
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  if (args[0] === 'token') {
    try {
      process.exit(await runTokenCommand(args.slice(1), print))
    } catch (error) {
      if (error instanceof ConfigError) exitWith(error.message)
      throw error
    }
  }
  // A word first names a document command; they are imported only then, so that the server does
  // not load what only they use (the content formats' libraries, progress bars).
  if (args[0] !== undefined && !args[0].startsWith('-')) {
    const { documentCommands, runDocumentCommand } =
      await import('./documents/run-document-command.js')
    const documentCommand = documentCommands.get(args[0])
    if (documentCommand) process.exit(await runDocumentCommand(documentCommand, args.slice(1)))
  }
  let parsed
  try {
    parsed = parseCommandLine(args, print)
  } catch (error) {
    if (error instanceof ConfigError) exitWith(error.message)
    throw error
  }
  if (parsed.kind === 'exit') process.exit(parsed.code)
  const { config } = parsed
  keepYoungGenerationSmall()
  const logger = createLogger(config.logLevel)

  let opened
  try {
    opened = await openConfiguredStore(config, logger)
  } catch (error) {
    if (error instanceof StoreOpenError) exitWith(error.message, error.exitCode)
    throw error
  }
  const { store } = opened

  let cluster: Cluster | undefined
  if (config.cluster) {
    const { InstanceIdTakenError, openRedisCluster } =
      await import('../scale/redis/redis-cluster.js')
    try {
      cluster = await openRedisCluster({
        url: config.cluster.redisUrl,
        prefix: config.cluster.redisPrefix,
        instanceId: config.cluster.instanceId,
        logger,
      })
    } catch (error) {
      await store.close()
      if (error instanceof InstanceIdTakenError) exitWith(error.message)
      exitWith(`${(error as Error).message} (--redis / REDIS_URL)`, 1)
    }
  }

  let security
  try {
    security = await prepareSecurity(config.security, config.host)
  } catch (error) {
    await cluster?.close()
    await store.close()
    if (error instanceof ConfigError) exitWith(error.message)
    throw error
  }

  const webhooks = config.webhooks && createWebhooks({ ...config.webhooks, logger })
  const server = createCollabServer({
    store,
    logger,
    ...(cluster && { cluster }),
    limits: config.limits,
    ...(config.metrics && {
      metrics: createPrometheusMetrics(webhooks ? { webhookCounts: () => webhooks.counts() } : {}),
    }),
    ...(webhooks && { hooks: webhooks.hooks }),
    trustedProxies: config.trustedProxies,
    // Imported on the first conversion: their HTML and Markdown libraries take memory.
    formats: () => import('../content/editor-formats.js').then((module) => module.editorFormats),
    versionRetention: config.versionRetention,
    ...security.options,
    // Built by scripts/build.mjs; the same path from cli/main.ts and from the bundled dist/cli.js.
    staticDirectory: fileURLToPath(new URL('../dist/public', import.meta.url)),
  })
  try {
    const address = await server.listen(config.port, config.host)
    const [ws, http] = security.options.tls ? ['wss', 'https'] : ['ws', 'http']
    logger.info(
      {
        host: config.host,
        port: address.port,
        ...opened.where,
        ...(cluster && { instanceId: cluster.instanceId }),
      },
      `listening on ${ws}://${config.host}:${address.port}; editor demo at ${http}://${config.host}:${address.port}/`,
    )
    security.announce(logger)
  } catch (error) {
    await cluster?.close()
    await store.close()
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE')
      exitWith(
        `port ${config.port} on ${config.host} is already in use; choose another with --port / PORT`,
      )
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      exitWith(`cannot listen on host ${config.host}: ${code}; check --host / HOST`)
    if (code === 'EACCES')
      exitWith(
        `no permission to listen on port ${config.port}; choose a port above 1023 with --port / PORT`,
      )
    throw error
  }

  const drain = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'shutting down: draining, writing documents, closing clients')
    // A storage layer that hangs must not keep the process alive forever.
    const { drainDelayMs, shutdownTimeoutMs } = config.limits
    setTimeout(
      () => {
        logger.error('shutdown deadline passed; exiting')
        process.exit(1)
      },
      drainDelayMs + shutdownTimeoutMs + webhookFlushMs + 10_000,
    ).unref()
    server
      .close()
      .then(async () => {
        await cluster?.close()
        if (webhooks) {
          await webhooks.flush(webhookFlushMs)
          webhooks.close()
        }
        await store.close()
      })
      .then(
        () => {
          logger.info('shutdown complete')
          process.exit(0)
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed')
          process.exit(1)
        },
      )
  }
  handleShutdownSignals(logger, drain, () => process.exit(1))
}

main().catch((error: unknown) => {
  console.error('collab-server: failed to start:', error)
  process.exit(1)
})
