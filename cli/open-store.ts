// Opens the store the configuration names: LevelDB in --data (the default), or PostgreSQL with
// --postgres, whose client is imported only then. A store that cannot be opened becomes one line
// and an exit code for main.ts.
import { openLevelDbStore } from '../persistence/leveldb/store.js'
import { redactPostgresUrl } from '../persistence/postgres/postgres-url.js'
import type { DocStore } from '../persistence/store.js'
import type { Logger } from '../server/logger.js'
import type { Config } from './config.js'
import type { PostgresConfig } from './postgres-config.js'

/** Exit codes of a store that cannot be opened. */
const exitCodes = {
  /** The configuration or the environment does not let it open: fix that first. */
  unusable: 2,
  /** PostgreSQL did not answer: starting again later may work (a supervisor's restart). */
  unreachable: 1,
} as const

/** A store that cannot be opened: main prints the message and exits with `exitCode`. */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError'
  readonly exitCode: number

  constructor(message: string, exitCode: number) {
    super(message)
    this.exitCode = exitCode
  }
}

/** An open store, and what the start-up log says of where it keeps documents. */
export interface OpenedStore {
  readonly store: DocStore
  readonly where: Readonly<Record<string, string>>
}

/**
 * Opens the configured store; rejects with a StoreOpenError whose message says what is wrong and
 * which flag to change (never a password).
 */
export function openConfiguredStore(config: Config, logger: Logger): Promise<OpenedStore> {
  return config.postgres
    ? openPostgres(config.postgres, logger)
    : openLevelDb(config.dataDirectory, config.syncWrites, logger)
}

async function openLevelDb(
  directory: string,
  syncWrites: boolean,
  logger: Logger,
): Promise<OpenedStore> {
  try {
    const store = await openLevelDbStore({
      directory,
      syncWrites,
      onProblem: (message, error, level = 'warn') => logger[level]({ err: error }, message),
    })
    return { store, where: { dataDirectory: directory } }
  } catch (error) {
    throw new StoreOpenError(`${(error as Error).message} (--data / DATA_DIR)`, exitCodes.unusable)
  }
}

async function openPostgres(config: PostgresConfig, logger: Logger): Promise<OpenedStore> {
  const { PostgresStoreError, openPostgresStore } = await import('../persistence/postgres/store.js')
  try {
    const store = await openPostgresStore({
      url: config.url,
      schema: config.schema,
      poolSize: config.poolSize,
      onProblem: (message, error) => logger.warn({ err: error }, message),
    })
    return {
      store,
      where: { postgres: redactPostgresUrl(config.url), postgresSchema: config.schema },
    }
  } catch (error) {
    const isUnreachable = error instanceof PostgresStoreError && error.isUnreachable
    throw new StoreOpenError(
      `${(error as Error).message} (--postgres / POSTGRES_URL)`,
      isUnreachable ? exitCodes.unreachable : exitCodes.unusable,
    )
  }
}
