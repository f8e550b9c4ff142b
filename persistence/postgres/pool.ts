// The connections to PostgreSQL: a bounded pg Pool built from the URL, and transactions on one of
// its clients. The only module besides the store that imports `pg`. A Pool opens connections as
// calls need them and drops broken ones, so the store works again by itself once PostgreSQL is
// back; nothing here retries a call.
import { Pool, type PoolClient } from 'pg'

/** Options of `createPool`. */
export interface PoolOptions {
  /** The connection URL; `pg` reads the host, port, database, user, password and sslmode in it. */
  url: string
  /** Connections open at most; calls beyond wait for one. */
  size: number
  /** How long getting a connection may take (including connecting) before the call fails. */
  connectTimeoutMs: number
  /**
   * How long a query may wait for its answer before it fails; its connection is then dropped.
   * Without it, a server that stops answering (a network partition) would hang calls for ever.
   */
  queryTimeoutMs: number
  /** Told when a connection that was not in use fails (PostgreSQL restarted, say). */
  onIdleError: (error: Error) => void
}

/** Shows in PostgreSQL's pg_stat_activity, so operators see whose connections they are. */
const applicationName = 'collab-server'

/** A pool of connections; the caller owns it and ends it. */
export function createPool(options: PoolOptions): Pool {
  const pool = new Pool({
    connectionString: options.url,
    max: options.size,
    connectionTimeoutMillis: options.connectTimeoutMs,
    query_timeout: options.queryTimeoutMs,
    idleTimeoutMillis: 30_000,
    // Notices a peer that vanished without closing (a host that went down) on idle connections.
    keepAlive: true,
    application_name: applicationName,
  })
  // Without a listener, an idle connection that fails would be an uncaught 'error' event.
  pool.on('error', options.onIdleError)
  return pool
}

/**
 * Runs `work` in a transaction on one client: commits what it did, or rolls back and rejects
 * when it throws. A client that failed is dropped from the pool, never reused.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect()
  // A checked-out client that loses its connection emits 'error' (its query rejects as well);
  // such a client, or one that cannot roll back, is dropped instead of going back to the pool.
  let broken: Error | undefined
  const onError = (error: Error): void => {
    broken ??= error
  }
  client.on('error', onError)
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    const isRolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    )
    if (!isRolledBack) broken ??= error as Error
    throw error
  } finally {
    client.off('error', onError)
    client.release(broken)
  }
}
