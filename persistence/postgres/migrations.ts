// The store's tables, created or brought up to date as a store opens. Each migration takes the
// schema one version further and is recorded in `schema_version`. All of it runs in one
// transaction under an advisory lock on the schema's name, so servers that start at once migrate
// it once and the others find it done. Imports nothing from server/.
import type { Pool } from 'pg'
import { inTransaction } from './pool.js'
import { quoteIdentifier } from './schema-name.js'

/** The statements that take a schema (its quoted name) from one version to the next. */
type Migration = (schema: string) => string[]

const migrations: readonly Migration[] = [
  // Version 1: documents, their update logs and compacted states, versions, server-wide records.
  (s) => [
    `CREATE TABLE ${s}.documents (
      name text PRIMARY KEY,
      sort_key bytea NOT NULL,
      last_seq bigint NOT NULL,
      created_at_ms bigint,
      updated_at_ms bigint,
      state_bytes bigint NOT NULL DEFAULT 0,
      log_bytes bigint NOT NULL DEFAULT 0,
      CHECK ((created_at_ms IS NULL) = (updated_at_ms IS NULL))
    ) WITH (fillfactor = 50)`,
    `COMMENT ON TABLE ${s}.documents IS 'One row per room ever written; a deleted document keeps its row (times null) so that its sequence numbers go on. Every append updates it: fillfactor 50 keeps those updates on their page.'`,
    // Not UNIQUE: it follows from the name, and a second unique constraint would make a first
    // append that races another writer's fail instead of meeting ON CONFLICT (name).
    `CREATE INDEX documents_by_sort_key ON ${s}.documents (sort_key)`,
    `COMMENT ON COLUMN ${s}.documents.sort_key IS 'The name as UTF-16 code units, big-endian: listings go in this order.'`,
    `COMMENT ON COLUMN ${s}.documents.last_seq IS 'The last sequence number handed out: the counter appends take theirs from, under this row''s lock.'`,
    `COMMENT ON COLUMN ${s}.documents.created_at_ms IS 'Unix ms of the first write; null while the document does not exist (never written, or deleted).'`,
    `CREATE TABLE ${s}.update_log (
      document text NOT NULL,
      seq bigint NOT NULL,
      data bytea NOT NULL,
      PRIMARY KEY (document, seq)
    )`,
    `COMMENT ON TABLE ${s}.update_log IS 'Yjs updates as received, appended after the compacted state.'`,
    `CREATE TABLE ${s}.snapshots (
      document text PRIMARY KEY,
      state bytea NOT NULL,
      state_vector bytea NOT NULL,
      through_seq bigint NOT NULL
    )`,
    `COMMENT ON TABLE ${s}.snapshots IS 'The compacted state of a document: one Yjs update covering its log through through_seq.'`,
    `CREATE TABLE ${s}.versions (
      document text NOT NULL,
      id bytea NOT NULL,
      info json NOT NULL,
      content bytea NOT NULL,
      PRIMARY KEY (document, id)
    )`,
    `COMMENT ON COLUMN ${s}.versions.id IS 'The version id as UTF-16 code units, big-endian (any string); info holds it as text.'`,
    `CREATE TABLE ${s}.records (
      name text PRIMARY KEY,
      value bytea NOT NULL,
      updated_at_ms bigint NOT NULL
    )`,
    `COMMENT ON TABLE ${s}.records IS 'Server-wide records (the revocation list, the health probe).'`,
  ],
  // Version 2: the room's writer, so that stores sharing the schema fence each other.
  (s) => [
    `ALTER TABLE ${s}.documents ADD COLUMN writer_epoch bigint NOT NULL DEFAULT 0`,
    `COMMENT ON COLUMN ${s}.documents.writer_epoch IS 'Raised by every claim (a load, a delete, an import): appends and compactions write only with the value their store''s load returned.'`,
    `COMMENT ON TABLE ${s}.documents IS 'One row per room ever loaded or written; a deleted document keeps its row (times null) so that its sequence numbers go on. Every append updates it: fillfactor 50 keeps those updates on their page.'`,
  ],
]

/** The schema version this code writes. */
export const latestSchemaVersion = migrations.length

// The advisory lock's first key names these migrations ('coll'); the second, the schema.
const migrationLockKey = 0x636f6c6c

/**
 * Creates the schema and its tables, or migrates them to `latestSchemaVersion`. Resolves with the
 * version found (0 for a new schema); a schema found newer than this code is left as it is (the
 * caller refuses it). A schema that is up to date needs no privilege beyond using its tables.
 */
export async function migrateSchema(pool: Pool, schemaName: string): Promise<number> {
  const s = quoteIdentifier(schemaName)
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
      migrationLockKey,
      schemaName,
    ])
    // Looked up first: CREATE … IF NOT EXISTS checks the privilege to create even when it exists.
    const existing = await client.query<{ found: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS found',
      [`${s}.schema_version`],
    )
    if (!existing.rows[0]!.found) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`)
      await client.query(
        `CREATE TABLE ${s}.schema_version (
          version integer PRIMARY KEY,
          migrated_at timestamptz NOT NULL DEFAULT now()
        )`,
      )
    }
    const { rows } = await client.query<{ version: number }>(
      `SELECT coalesce(max(version), 0) AS version FROM ${s}.schema_version`,
    )
    const found = rows[0]!.version
    for (let version = found + 1; version <= latestSchemaVersion; version++) {
      for (const statement of migrations[version - 1]!(s)) await client.query(statement)
      await client.query(`INSERT INTO ${s}.schema_version (version) VALUES ($1)`, [version])
    }
    return found
  })
}
