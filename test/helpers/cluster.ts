// A cluster for tests: instances of the server command on one PostgreSQL schema and one Redis key
// prefix of the test's own, each on a free port, killed after the test.
import type { TestContext } from 'node:test'
import type { WebsocketProvider } from 'y-websocket'
import type * as Y from 'yjs'
import { postgresUrl, testSchema, withPostgres } from './postgres.js'
import { redisUrl, testPrefix, withRedis } from './redis.js'
import { type ServerProcess, spawnServer } from './start-server.js'
import { until } from './until.js'

/**
 * Declares the tests of `declare` when both PostgreSQL and Redis answer; otherwise one test that
 * says which does not (skipped, or failing under CI=true).
 */
export async function withClusterServices(what: string, declare: () => void): Promise<void> {
  let hasRedis = false
  await withRedis(what, () => {
    hasRedis = true
  })
  if (hasRedis) await withPostgres(what, declare)
}

export interface TestCluster {
  readonly instances: ServerProcess[]
  /** Starts one more instance (as `instance-<n>`) on the cluster's store and bus. */
  add(): Promise<ServerProcess>
}

/** Where a test cluster's services are, and what else its instances are given. */
export interface ClusterOptions {
  readonly redis?: string
  readonly postgres?: string
  readonly extraArgs?: string[]
}

/** Starts `count` instances on a fresh schema and key prefix. */
export async function startCluster(
  t: TestContext,
  count: number,
  { redis = redisUrl, postgres = postgresUrl, extraArgs = [] }: ClusterOptions = {},
): Promise<TestCluster> {
  const schema = testSchema(t)
  const prefix = testPrefix(t, redis)
  const instances: ServerProcess[] = []
  const add = async (): Promise<ServerProcess> => {
    const instance = await spawnServer(t, null, [
      '--postgres',
      postgres,
      '--postgres-schema',
      schema,
      '--redis',
      redis,
      '--redis-prefix',
      prefix,
      '--instance-id',
      `instance-${instances.length + 1}`,
      ...extraArgs,
    ])
    instances.push(instance)
    return instance
  }
  // One after the other: the first creates the schema, the others find it.
  for (let i = 0; i < count; i++) await add()
  return { instances, add }
}

/** Waits until every document's text is `expected`. */
export async function waitForTexts(
  docs: readonly Y.Doc[],
  expected: () => string,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  await until(() => docs.every((doc) => doc.getText('text').toString() === expected()), {
    timeoutMs,
    what,
  })
}

/** The user names a provider sees in the awareness states, sorted. */
export function seenNames(provider: WebsocketProvider): string[] {
  const names: string[] = []
  for (const state of provider.awareness.getStates().values()) {
    const user = (state as { user?: { name?: unknown } }).user
    if (typeof user?.name === 'string') names.push(user.name)
  }
  return names.sort()
}
