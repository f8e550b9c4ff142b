// The SQL of the store, for one schema (migrations.ts creates its tables). Every value is a query
// parameter; the schema's quoted name is the only thing built into the text. Imports nothing else.
import { quoteIdentifier } from './schema-name.js'

/** The statements of the store on `schemaName`, each with what its parameters are. */
export function statementsFor(schemaName: string) {
  const s = quoteIdentifier(schemaName)
  return {
    /**
     * The appends of a batch, atomically, as one statement. $1–$5: per room (sorted by sort key,
     * so that writers lock rows in one order and never deadlock) its name, sort key, entry count,
     * bytes and the writer epoch its store holds; $6: now (Unix ms); $7–$9: per entry its room,
     * its place among the room's entries in this batch (1, 2, …) and its update. Each room's
     * counter row is locked and, when its writer_epoch is still the store's, raised by its count,
     * and its entries numbered below the new value; returns each such room's new last_seq. A room
     * whose writer_epoch has moved on (fenced) is left as it was, its entries not inserted.
     */
    append: `
      WITH batch AS (
        SELECT * FROM unnest($1::text[], $2::bytea[], $3::bigint[], $4::bigint[], $5::bigint[])
          AS b(name, sort_key, entries, bytes, writer_epoch)
      ), counters AS (
        INSERT INTO ${s}.documents AS d
          (name, sort_key, last_seq, created_at_ms, updated_at_ms, log_bytes, writer_epoch)
        SELECT name, sort_key, entries, $6, $6, bytes, writer_epoch FROM batch ORDER BY sort_key
        ON CONFLICT (name) DO UPDATE SET
          last_seq = d.last_seq + excluded.last_seq,
          created_at_ms = coalesce(d.created_at_ms, excluded.created_at_ms),
          updated_at_ms = excluded.updated_at_ms,
          log_bytes = d.log_bytes + excluded.log_bytes
        WHERE d.writer_epoch = excluded.writer_epoch
        RETURNING d.name, d.last_seq
      ), appended AS (
        INSERT INTO ${s}.update_log (document, seq, data)
        SELECT e.document, c.last_seq - b.entries + e.ordinal, e.data
        FROM unnest($7::text[], $8::bigint[], $9::bytea[]) AS e(document, ordinal, data)
        JOIN counters c ON c.name = e.document
        JOIN batch b ON b.name = e.document
      )
      SELECT name, last_seq FROM counters`,
    /**
     * Claims a room for a store: creates its row (times null: the document does not exist yet)
     * or locks it, and raises its writer_epoch. $1 room, $2 sort key. Returns the new epoch.
     */
    claim: `
      INSERT INTO ${s}.documents AS d (name, sort_key, last_seq, writer_epoch)
      VALUES ($1, $2, 0, 1)
      ON CONFLICT (name) DO UPDATE SET writer_epoch = d.writer_epoch + 1
      RETURNING d.writer_epoch`,
    /**
     * $1 room → nothing (never written), or first its row (`seq` null: `data` is the compacted
     * state, if any, with `state_vector` and `last_seq`), then its log entries in order (`data`
     * is the update). One statement, so all of it is read from one snapshot; rows, not an array,
     * since `pg` reads many bytea rows faster than one bytea array.
     */
    load: `
      SELECT NULL::bigint AS seq, d.last_seq, c.state AS data, c.state_vector
      FROM ${s}.documents d LEFT JOIN ${s}.snapshots c ON c.document = d.name
      WHERE d.name = $1
      UNION ALL
      SELECT l.seq, NULL, l.data, NULL FROM ${s}.update_log l WHERE l.document = $1
      ORDER BY seq NULLS FIRST`,
    /**
     * Locks a room's row (its claim created it) for a compaction, giving it times when the
     * compaction is its first write: $1 room, $2 the writer epoch the store holds, $3 now.
     * Returns its last_seq; no row when its writer_epoch has moved on (fenced).
     */
    lockForCompaction: `
      UPDATE ${s}.documents SET
        created_at_ms = coalesce(created_at_ms, $3), updated_at_ms = coalesce(updated_at_ms, $3)
      WHERE name = $1 AND writer_epoch = $2
      RETURNING last_seq`,
    /**
     * Puts a compacted state ($1 room, $2 state, $3 state vector, $4 through seq) unless the one
     * stored covers more: no row returned then.
     */
    putCompactedState: `
      INSERT INTO ${s}.snapshots AS c (document, state, state_vector, through_seq)
      VALUES ($1, $2, $3, $4)
      ON CONFLICT (document) DO UPDATE SET
        state = excluded.state, state_vector = excluded.state_vector, through_seq = excluded.through_seq
      WHERE c.through_seq <= excluded.through_seq
      RETURNING c.through_seq`,
    /** Deletes the log entries a compaction covers ($1 room, $2 through seq; $3 state bytes). */
    deleteCompacted: `
      WITH removed AS (
        DELETE FROM ${s}.update_log WHERE document = $1 AND seq <= $2
        RETURNING octet_length(data) AS bytes
      )
      UPDATE ${s}.documents
      SET state_bytes = $3, log_bytes = log_bytes - (SELECT coalesce(sum(bytes), 0) FROM removed)
      WHERE name = $1`,
    /**
     * Locks a room's row and marks the document deleted, keeping last_seq and fencing its writer
     * ($1 room).
     */
    markDeleted: `
      UPDATE ${s}.documents
      SET created_at_ms = NULL, updated_at_ms = NULL, state_bytes = 0, log_bytes = 0,
        writer_epoch = writer_epoch + 1
      WHERE name = $1`,
    /** Deletes what a deleted document held ($1 room). */
    deleteContent: `
      WITH log AS (DELETE FROM ${s}.update_log WHERE document = $1),
        compacted AS (DELETE FROM ${s}.snapshots WHERE document = $1)
      DELETE FROM ${s}.versions WHERE document = $1`,
    /**
     * Locks (or creates) a room's row for an import, gives it the import's times and size and
     * fences its writer: $1 room, $2 sort key, $3 created, $4 updated, $5 state bytes. Returns
     * its last_seq.
     */
    lockForImport: `
      INSERT INTO ${s}.documents AS d
        (name, sort_key, last_seq, created_at_ms, updated_at_ms, state_bytes, log_bytes)
      VALUES ($1, $2, 0, $3, $4, $5, 0)
      ON CONFLICT (name) DO UPDATE SET
        created_at_ms = excluded.created_at_ms, updated_at_ms = excluded.updated_at_ms,
        state_bytes = excluded.state_bytes, log_bytes = 0, writer_epoch = d.writer_epoch + 1
      RETURNING d.last_seq`,
    /** Replaces a room's log and compacted state by the state ($1 room, $2, $3, $4 through seq). */
    replaceContent: `
      WITH log AS (DELETE FROM ${s}.update_log WHERE document = $1)
      INSERT INTO ${s}.snapshots (document, state, state_vector, through_seq)
      VALUES ($1, $2, $3, $4)
      ON CONFLICT (document) DO UPDATE SET
        state = excluded.state, state_vector = excluded.state_vector, through_seq = excluded.through_seq`,
    /** $1 room → its times and bytes, no row when the document does not exist. */
    documentInfo: `
      SELECT name, created_at_ms, updated_at_ms, state_bytes + log_bytes AS bytes
      FROM ${s}.documents WHERE name = $1 AND created_at_ms IS NOT NULL`,
    /**
     * A page of documents in sort key order: $1 the prefix's key, $2 the end of its range (null:
     * none), $3 the key of `after` (null: from the start), $4 how many.
     */
    listDocuments: `
      SELECT name, created_at_ms, updated_at_ms, state_bytes + log_bytes AS bytes
      FROM ${s}.documents
      WHERE created_at_ms IS NOT NULL AND sort_key >= $1
        AND ($2::bytea IS NULL OR sort_key < $2) AND ($3::bytea IS NULL OR sort_key > $3)
      ORDER BY sort_key LIMIT $4`,
    /** $1 name → its value. */
    readRecord: `SELECT value FROM ${s}.records WHERE name = $1`,
    /** $1 name, $2 value, $3 now. */
    writeRecord: `
      INSERT INTO ${s}.records (name, value, updated_at_ms) VALUES ($1, $2, $3)
      ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms`,
    /** $1 room, $2 id key, $3 record (JSON text), $4 content. */
    putVersion: `
      INSERT INTO ${s}.versions (document, id, info, content) VALUES ($1, $2, $3, $4)
      ON CONFLICT (document, id) DO UPDATE SET info = excluded.info, content = excluded.content`,
    /** $1 room → every version's id key and record. */
    listVersions: `SELECT id, info FROM ${s}.versions WHERE document = $1`,
    /** $1 room, $2 id key → its content. */
    readVersion: `SELECT content FROM ${s}.versions WHERE document = $1 AND id = $2`,
    /** $1 room, $2 id key. */
    deleteVersion: `DELETE FROM ${s}.versions WHERE document = $1 AND id = $2`,
  } as const
}

/** The statements of one schema. */
export type Statements = ReturnType<typeof statementsFor>
