// The cluster flags: --redis (the bus of several instances on one PostgreSQL store), its key
// prefix and this instance's id. Reading them loads no Redis client: main.ts imports the bus
// only when --redis is given.
import { hostname } from 'node:os'
import { type Command, InvalidArgumentError, Option } from 'commander'
import { instanceIdProblem, keyPrefixProblem, redisUrlProblem } from '../scale/redis/redis-url.js'

/** The cluster's bus; null in Config for a single instance. */
export interface ClusterConfig {
  /** As given, password included: only the bus sees it; messages show it redacted. */
  redisUrl: string
  redisPrefix: string
  instanceId: string
}

export const defaultRedisPrefix = 'collab:'

/** host name and pid, made to fit what an instance id may hold. */
export function defaultInstanceId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 80) || 'host'
  return `${host}-${process.pid}`
}

function checked(problemOf: (value: string) => string | null): (value: string) => string {
  return (value) => {
    const problem = problemOf(value)
    if (problem) throw new InvalidArgumentError(`${problem}.`)
    return value
  }
}

/** Adds the cluster flags to the server's command. */
export function addClusterOptions(program: Command): void {
  program
    .addOption(
      // Checked in readClusterConfig, not by commander, whose message would repeat the value
      // and its password.
      new Option(
        '--redis <url>',
        'run as one instance of a cluster on this Redis, e.g. redis://127.0.0.1:6379 (needs --postgres)',
      ).env('REDIS_URL'),
    )
    .addOption(
      new Option('--redis-prefix <prefix>', 'prefix of the cluster’s Redis keys and channels')
        .env('REDIS_PREFIX')
        .default(defaultRedisPrefix)
        .argParser(checked(keyPrefixProblem)),
    )
    .addOption(
      new Option(
        '--instance-id <id>',
        'this instance’s id in the cluster (default: host name and pid)',
      )
        .env('INSTANCE_ID')
        .argParser(checked(instanceIdProblem)),
    )
}

/**
 * Reads the cluster flags; returns null without --redis, or a one-line problem for a bad URL or
 * flags that do not fit together: the instances share the PostgreSQL store.
 */
export function readClusterConfig(
  program: Command,
  hasPostgres: boolean,
): ClusterConfig | null | string {
  const value = <T>(name: string): T => program.getOptionValue(name) as T
  const isGiven = (name: string): boolean => {
    const source = program.getOptionValueSource(name)
    return source === 'cli' || source === 'env'
  }
  const url = value<string | undefined>('redis')
  if (url === undefined) {
    for (const [name, flag] of [
      ['redisPrefix', '--redis-prefix'],
      ['instanceId', '--instance-id'],
    ] as const) {
      if (isGiven(name)) return `${flag} needs --redis (or REDIS_URL)`
    }
    return null
  }
  const problem = redisUrlProblem(url)
  if (problem) return `--redis / REDIS_URL: ${problem}`
  if (!hasPostgres) {
    return '--redis needs --postgres (or POSTGRES_URL): the instances of a cluster share one PostgreSQL store'
  }
  return {
    redisUrl: url,
    redisPrefix: value('redisPrefix'),
    instanceId: value<string | undefined>('instanceId') ?? defaultInstanceId(),
  }
}
