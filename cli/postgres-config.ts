// The PostgreSQL flags: --postgres (the store's URL, instead of the LevelDB --data directory),
// its schema and its pool size. Reading them loads no PostgreSQL client: main.ts imports the
// store only when --postgres is given.
import { type Command, InvalidArgumentError, Option } from 'commander'
import { defaultPoolSize, defaultSchemaName } from '../persistence/postgres/defaults.js'
import { checkPostgresUrl } from '../persistence/postgres/postgres-url.js'
import { schemaNameProblem } from '../persistence/postgres/schema-name.js'
import { parseCount } from './flag-values.js'

/** Where the PostgreSQL store is; null in Config when the store is LevelDB's. */
export interface PostgresConfig {
  /** As given, password included: only the store sees it; messages show it redacted. */
  url: string
  schema: string
  poolSize: number
}

function parseSchemaName(value: string): string {
  const problem = schemaNameProblem(value)
  if (problem) throw new InvalidArgumentError(`${problem}.`)
  return value
}

/** Adds the PostgreSQL flags to the server's command. */
export function addPostgresOptions(program: Command): void {
  program
    .addOption(
      // Checked in readPostgresConfig, not by commander, whose message would repeat the value
      // and its password.
      new Option(
        '--postgres <url>',
        'store documents in PostgreSQL instead of LevelDB, e.g. postgres://user:password@host:5432/db (prefer the variable: flags show in ps)',
      ).env('POSTGRES_URL'),
    )
    .addOption(
      new Option('--postgres-schema <name>', 'the schema of the store’s tables, created if missing')
        .env('POSTGRES_SCHEMA')
        .default(defaultSchemaName)
        .argParser(parseSchemaName),
    )
    .addOption(
      new Option('--postgres-pool-size <count>', 'connections to PostgreSQL open at most')
        .env('POSTGRES_POOL_SIZE')
        .default(defaultPoolSize)
        .argParser(parseCount),
    )
}

/**
 * Reads the PostgreSQL flags; returns null without --postgres, or a one-line problem for a bad
 * URL or flags that do not fit together: --data and --fsync are the LevelDB store's.
 */
export function readPostgresConfig(program: Command): PostgresConfig | null | string {
  const value = <T>(name: string): T => program.getOptionValue(name) as T
  const isGiven = (name: string): boolean => {
    const source = program.getOptionValueSource(name)
    return source === 'cli' || source === 'env'
  }
  const url = value<string | undefined>('postgres')
  if (url === undefined) {
    for (const [name, flag] of [
      ['postgresSchema', '--postgres-schema'],
      ['postgresPoolSize', '--postgres-pool-size'],
    ] as const) {
      if (isGiven(name)) return `${flag} needs --postgres (or POSTGRES_URL)`
    }
    return null
  }
  const checked = checkPostgresUrl(url)
  if ('problem' in checked) return `--postgres / POSTGRES_URL: ${checked.problem}`
  if (isGiven('data')) {
    return 'give --postgres (PostgreSQL) or --data (LevelDB), not both; POSTGRES_URL and DATA_DIR count too'
  }
  if (isGiven('fsync')) {
    return '--fsync is the LevelDB store’s; with --postgres every append is committed, as durable as PostgreSQL makes commits (synchronous_commit)'
  }
  return { url: checked.url, schema: value('postgresSchema'), poolSize: value('postgresPoolSize') }
}
