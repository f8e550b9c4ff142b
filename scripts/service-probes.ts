// Whether PostgreSQL and Redis answer at a URL: for `npm run cluster` and the tests that need them.

import { Redis } from 'ioredis'
import pg from 'pg'

/** Why PostgreSQL does not answer at `url` within `timeoutMs`, or null when it does. */
export async function postgresProblem(url: string, timeoutMs: number): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.query('SELECT 1')
    return null
  } catch (error) {
    // A refused connection to a name with several addresses is an AggregateError without one.
    const { message, code } = error as { message?: string; code?: string }
    return message || code || 'no answer'
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** Why Redis does not answer at `url` within `timeoutMs`, or null when it does. */
export async function redisProblem(url: string, timeoutMs: number): Promise<string | null> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  // The rejection only says "Connection is closed."; the error event says why.
  let cause: Error | undefined
  redis.on('error', (error: Error) => (cause ??= error))
  try {
    await redis.connect()
    await redis.ping()
    return null
  } catch (error) {
    return (cause ?? (error as Error)).message || 'no answer'
  } finally {
    redis.disconnect()
  }
}
