// The PostgreSQL DocStore (persistence/README.md, "PostgreSQL"): documents, their update logs and
// compacted states, versions and server-wide records in the tables of one schema, through a
// bounded pool. Composes the modules beside it; imports nothing from server/.
//
// Several stores may share the schema (servers of a cluster, or stores in one process); each room
// has one writer, the store that loaded it last:
// - A load claims the room: it raises the room's `documents.writer_epoch` (creating the row) in a
//   statement of its own, then reads. The store keeps the epoch it got until it evicts the room.
// - Appends and compactions write only while the row's epoch is still the store's, checked under
//   the row lock that orders them with claims: once another store's claim has committed, they
//   reject with WriterFencedError and write nothing, and what committed before it is in that
//   store's load. So a writer's state holds every entry through its last sequence number, and
//   compacting through it drops nothing it has not applied.
// - Sequence numbers come from the row too, raised under its lock by the writing transaction, so
//   they go on rising from one writer to the next. Deleting and importing raise the epoch as well
//   (fencing the writer the room had), and "loaded" and "evicted" are each store's own.
import type { Pool, PoolClient } from 'pg'
import { checkDocumentQuery, newestFirst } from '../listing.js'
import {
  type DocStore,
  type DocumentImport,
  type DocumentInfo,
  type DocumentPage,
  type DocumentQuery,
  type EncodedState,
  type StoredDoc,
  type VersionInfo,
  WriterFencedError,
} from '../store.js'
import { AppendBatcher, type RoomEntries } from './append-batcher.js'
import { PostgresStoreError, storeError } from './errors.js'
import { latestSchemaVersion, migrateSchema } from './migrations.js'
import { createPool, inTransaction } from './pool.js'
import { checkPostgresUrl, redactPostgresUrl } from './postgres-url.js'
import {
  defaultConnectTimeoutMs,
  defaultPoolSize,
  defaultQueryTimeoutMs,
  defaultSchemaName,
} from './defaults.js'
import { schemaNameProblem } from './schema-name.js'
import { type Statements, statementsFor } from './statements.js'
import { keyPrefixEnd, readUtf16Key, textNameProblem, utf16Key } from './text-keys.js'
import { versionInfoJson } from '../version-info.js'
import { readVersionRecord } from './version-record.js'

export { PostgresStoreError } from './errors.js'

/** Options of the PostgreSQL store. */
export interface PostgresStoreOptions {
  /** postgres://user:password@host:5432/database (`pg` also reads sslmode and the like in it). */
  url: string
  /** The schema of the store's tables, created when missing (default `collab`). */
  schema?: string
  /** Connections open at most (default 10). Appends use one at a time. */
  poolSize?: number
  /** How long connecting may take before the call fails (default 5 s). */
  connectTimeoutMs?: number
  /** How long a statement may wait for its answer before it fails (default 60 s). */
  queryTimeoutMs?: number
  /** Told about trouble that fails no call: an idle connection that broke. */
  onProblem?: (message: string, error?: Error) => void
}

const closedError = (): Error => new Error('the PostgreSQL store is closed')

const notLoadedError = (room: string): Error =>
  new Error(`room ${JSON.stringify(room)} was not loaded from this store`)

const loadedError = (room: string): Error =>
  new Error(`room ${JSON.stringify(room)} is loaded; it must be evicted first`)

/** A `documents` row as its queries give it: bigint columns come as strings. */
interface DocumentRow {
  name: string
  created_at_ms: string
  updated_at_ms: string
  bytes: string
}

const documentInfoOf = (row: DocumentRow): DocumentInfo => ({
  name: row.name,
  bytes: Number(row.bytes),
  createdAtMs: Number(row.created_at_ms),
  updatedAtMs: Number(row.updated_at_ms),
})

/**
 * Connects to PostgreSQL, creates or migrates the schema's tables (migrations.ts), and opens a
 * store on them. Rejects with a RangeError for a URL or schema name that cannot be used, and with
 * a PostgresStoreError naming the server (without its password) when PostgreSQL cannot be reached
 * (`isUnreachable`) or refuses, or when the schema was written by a newer version. The caller
 * owns the store and closes it.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<DocStore> {
  const checked = checkPostgresUrl(options.url)
  if ('problem' in checked) throw new RangeError(checked.problem)
  const schema = options.schema ?? defaultSchemaName
  const schemaProblem = schemaNameProblem(schema)
  if (schemaProblem) throw new RangeError(schemaProblem)
  const location = `${redactPostgresUrl(options.url)}, schema ${schema}`
  const onProblem =
    options.onProblem ??
    ((message, error) =>
      process.emitWarning(message, { type: 'PostgresStore', detail: error?.message }))
  const pool = createPool({
    url: options.url,
    size: options.poolSize ?? defaultPoolSize,
    connectTimeoutMs: options.connectTimeoutMs ?? defaultConnectTimeoutMs,
    queryTimeoutMs: options.queryTimeoutMs ?? defaultQueryTimeoutMs,
    onIdleError: (error) =>
      onProblem(
        `an idle connection to PostgreSQL (${location}) failed; another opens when needed`,
        error,
      ),
  })
  let found: number
  try {
    found = await migrateSchema(pool, schema)
  } catch (error) {
    await pool.end()
    throw storeError(location, 'open the store', error)
  }
  if (found > latestSchemaVersion) {
    await pool.end()
    throw new PostgresStoreError(
      `PostgreSQL (${location}): the schema is at version ${found}, written by a newer collab-server; this one knows versions up to ${latestSchemaVersion}`,
      { isUnreachable: false },
    )
  }
  return new PostgresStore(pool, statementsFor(schema), location)
}

class PostgresStore implements DocStore {
  readonly #pool: Pool
  readonly #sql: Statements
  readonly #location: string
  readonly #appends: AppendBatcher
  /**
   * Rooms loaded and not evicted since, with the writer epoch each one's claim got: only they may
   * be written, and only while the room's row still has that epoch.
   */
  readonly #epochs = new Map<string, number>()
  #closing: Promise<void> | undefined

  constructor(pool: Pool, statements: Statements, location: string) {
    this.#pool = pool
    this.#sql = statements
    this.#location = location
    this.#appends = new AppendBatcher((rooms) => this.#writeAppends(rooms))
  }

  async load(room: string): Promise<StoredDoc> {
    this.#assertOpen()
    checkName('room', room)
    const action = `load room ${JSON.stringify(room)}`
    if (!this.#epochs.has(room)) {
      const claimed = await this.#query(action, () =>
        this.#pool.query<{ writer_epoch: string }>(this.#sql.claim, [room, utf16Key(room)]),
      )
      // Two loads at once both claim; the later claim is the one the row keeps.
      const epoch = Number(claimed.rows[0]!.writer_epoch)
      this.#epochs.set(room, Math.max(epoch, this.#epochs.get(room) ?? 0))
    }
    // After the claim has committed: every append committed before it is visible, and no other
    // store's can follow.
    return this.#readStored(room, action)
  }

  async read(room: string): Promise<StoredDoc> {
    this.#assertOpen()
    checkName('room', room)
    return this.#readStored(room, `read room ${JSON.stringify(room)}`)
  }

  async #readStored(room: string, action: string): Promise<StoredDoc> {
    const { rows } = await this.#query(action, () =>
      this.#pool.query<{
        seq: string | null
        last_seq: string | null
        data: Buffer | null
        state_vector: Buffer | null
      }>(this.#sql.load, [room]),
    )
    const [head, ...log] = rows
    if (!head) return { compacted: null, log: [], lastSeq: 0 }
    return {
      compacted:
        head.data && head.state_vector
          ? { update: head.data, stateVector: head.state_vector }
          : null,
      log: log.map((entry) => entry.data!),
      lastSeq: Number(head.last_seq),
    }
  }

  async append(room: string, update: Uint8Array): Promise<number> {
    this.#assertOpen()
    const epoch = this.#epochs.get(room)
    if (epoch === undefined) throw notLoadedError(room)
    return this.#appends.append(room, epoch, update)
  }

  async compact(room: string, state: EncodedState, throughSeq: number): Promise<void> {
    this.#assertOpen()
    const epoch = this.#epochs.get(room)
    if (epoch === undefined) throw notLoadedError(room)
    const action = `compact room ${JSON.stringify(room)}`
    await this.#query(action, () =>
      inTransaction(this.#pool, async (client) => {
        const locked = await client.query<{ last_seq: string }>(this.#sql.lockForCompaction, [
          room,
          epoch,
          Date.now(),
        ])
        if (!locked.rows[0]) throw new WriterFencedError(room)
        const lastSeq = Number(locked.rows[0].last_seq)
        if (throughSeq > lastSeq) {
          throw new RangeError(
            `cannot ${action} through sequence number ${throughSeq}: the last one handed out is ${lastSeq}`,
          )
        }
        const put = await client.query(this.#sql.putCompactedState, [
          room,
          state.update,
          state.stateVector,
          throughSeq,
        ])
        if (put.rowCount === 0) {
          throw new PostgresStoreError(
            `cannot ${action} through sequence number ${throughSeq}: the compacted state stored covers more; nothing changed`,
            { isUnreachable: false },
          )
        }
        await client.query(this.#sql.deleteCompacted, [room, throughSeq, state.update.length])
      }),
    )
  }

  evict(room: string): void {
    this.#epochs.delete(room)
  }

  async readRecord(name: string): Promise<Uint8Array | null> {
    this.#assertOpen()
    checkName('record', name)
    const { rows } = await this.#query(`read record ${JSON.stringify(name)}`, () =>
      this.#pool.query<{ value: Buffer }>(this.#sql.readRecord, [name]),
    )
    return rows[0]?.value ?? null
  }

  async writeRecord(name: string, value: Uint8Array): Promise<void> {
    this.#assertOpen()
    checkName('record', name)
    await this.#query(`write record ${JSON.stringify(name)}`, () =>
      this.#pool.query(this.#sql.writeRecord, [name, value, Date.now()]),
    )
  }

  async listDocuments(query: DocumentQuery): Promise<DocumentPage> {
    this.#assertOpen()
    checkDocumentQuery(query)
    const prefix = utf16Key(query.prefix)
    const after = query.after === null ? null : utf16Key(query.after)
    const { rows } = await this.#query('list documents', () =>
      this.#pool.query<DocumentRow>(this.#sql.listDocuments, [
        prefix,
        keyPrefixEnd(prefix),
        after,
        query.limit + 1,
      ]),
    )
    const documents = rows.slice(0, query.limit).map(documentInfoOf)
    const next = rows.length > query.limit ? (documents.at(-1)?.name ?? null) : null
    return { documents, next }
  }

  async documentInfo(room: string): Promise<DocumentInfo | null> {
    this.#assertOpen()
    checkName('room', room)
    const { rows } = await this.#query(`read what is stored of room ${JSON.stringify(room)}`, () =>
      this.#pool.query<DocumentRow>(this.#sql.documentInfo, [room]),
    )
    return rows[0] ? documentInfoOf(rows[0]) : null
  }

  async deleteDocument(room: string): Promise<void> {
    await this.#rewrite(room, `delete room ${JSON.stringify(room)}`, async (client) => {
      await client.query(this.#sql.markDeleted, [room])
      await client.query(this.#sql.deleteContent, [room])
    })
  }

  async importDocument(room: string, content: DocumentImport): Promise<void> {
    const { state } = content
    await this.#rewrite(room, `import room ${JSON.stringify(room)}`, async (client) => {
      const locked = await client.query<{ last_seq: string }>(this.#sql.lockForImport, [
        room,
        utf16Key(room),
        content.createdAtMs,
        content.updatedAtMs,
        state.update.length,
      ])
      // The imported state covers every number handed out: later appends go on after them.
      const lastSeq = Number(locked.rows[0]!.last_seq)
      await client.query(this.#sql.replaceContent, [room, state.update, state.stateVector, lastSeq])
    })
  }

  async putVersion(room: string, info: VersionInfo, content: Uint8Array): Promise<void> {
    this.#assertOpen()
    checkName('room', room)
    const record = versionInfoJson(info)
    await this.#query(`save a version of room ${JSON.stringify(room)}`, () =>
      this.#pool.query(this.#sql.putVersion, [room, utf16Key(info.id), record, content]),
    )
  }

  async listVersions(room: string): Promise<VersionInfo[]> {
    this.#assertOpen()
    checkName('room', room)
    const { rows } = await this.#query(`list the versions of room ${JSON.stringify(room)}`, () =>
      this.#pool.query<{ id: Buffer; info: unknown }>(this.#sql.listVersions, [room]),
    )
    return rows
      .map((row) => readVersionRecord(row.info, room, readUtf16Key(row.id)))
      .sort(newestFirst)
  }

  async readVersion(room: string, id: string): Promise<Uint8Array | null> {
    this.#assertOpen()
    checkName('room', room)
    const { rows } = await this.#query(`read a version of room ${JSON.stringify(room)}`, () =>
      this.#pool.query<{ content: Buffer }>(this.#sql.readVersion, [room, utf16Key(id)]),
    )
    return rows[0]?.content ?? null
  }

  async deleteVersion(room: string, id: string): Promise<void> {
    this.#assertOpen()
    checkName('room', room)
    await this.#query(`delete a version of room ${JSON.stringify(room)}`, () =>
      this.#pool.query(this.#sql.deleteVersion, [room, utf16Key(id)]),
    )
  }

  /**
   * Waits for the appends under way (each is committed or has failed: nothing else is held in
   * memory), then closes every connection. Later calls fail; closing twice is fine.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#appends.settled()
      await this.#pool.end()
    })()
    return this.#closing
  }

  #assertOpen(): void {
    if (this.#closing) throw closedError()
  }

  /** Writes a batch of appends as one statement (statements.ts, `append`). */
  async #writeAppends(rooms: readonly RoomEntries[]): Promise<ReadonlyMap<string, number>> {
    const names: string[] = []
    const keys: Buffer[] = []
    const counts: number[] = []
    const bytes: number[] = []
    const epochs: number[] = []
    const entryRooms: string[] = []
    const ordinals: number[] = []
    const updates: Uint8Array[] = []
    for (const { room, epoch, updates: roomUpdates } of rooms) {
      names.push(room)
      keys.push(utf16Key(room))
      counts.push(roomUpdates.length)
      bytes.push(roomUpdates.reduce((sum, update) => sum + update.length, 0))
      epochs.push(epoch)
      for (const [i, update] of roomUpdates.entries()) {
        entryRooms.push(room)
        ordinals.push(i + 1)
        updates.push(update)
      }
    }
    const action =
      rooms.length === 1
        ? `append to room ${JSON.stringify(rooms[0]!.room)}`
        : `append to ${rooms.length} rooms`
    const { rows } = await this.#query(action, () =>
      this.#pool.query<{ name: string; last_seq: string }>(this.#sql.append, [
        names,
        keys,
        counts,
        bytes,
        epochs,
        Date.now(),
        entryRooms,
        ordinals,
        updates,
      ]),
    )
    return new Map(rows.map((row) => [row.name, Number(row.last_seq)]))
  }

  /**
   * Deletes or replaces a room that is not loaded, in one transaction that fences the room's
   * writer (raising its epoch). Appends called before it (before the room's eviction) are written
   * first, so that it covers them.
   */
  async #rewrite(
    room: string,
    action: string,
    work: (client: PoolClient) => Promise<void>,
  ): Promise<void> {
    this.#assertOpen()
    checkName('room', room)
    if (this.#epochs.has(room)) throw loadedError(room)
    await this.#appends.settled()
    await this.#query(action, () => inTransaction(this.#pool, work))
  }

  /** Runs a call to PostgreSQL; what `pg` rejects with becomes a PostgresStoreError. */
  async #query<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      if (
        error instanceof PostgresStoreError ||
        error instanceof RangeError ||
        error instanceof WriterFencedError
      ) {
        throw error
      }
      throw storeError(this.#location, action, error)
    }
  }
}

/** Throws a RangeError for a name PostgreSQL text cannot hold (text-keys.ts). */
function checkName(kind: 'room' | 'record', name: string): void {
  const problem = textNameProblem(kind, name)
  if (problem) throw new RangeError(problem)
}
