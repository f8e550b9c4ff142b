// The PostgreSQL store's schema: created at the first open, found as it is at the next, migrated
// once when servers start at once, refused when a newer version wrote it; bad names refused.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PostgresStoreError, openPostgresStore } from '../../persistence/postgres/store.js'
import type { DocStore } from '../../persistence/store.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { postgresUrl, runSql, testSchema, withPostgres } from '../helpers/postgres.js'

const versionsOf = async (schema: string): Promise<number[]> => {
  const sql = `SELECT version FROM "${schema}".schema_version ORDER BY version`
  return (await runSql<{ version: number }>(sql)).rows.map((row) => row.version)
}

await withPostgres('PostgreSQL store schema', () => {
  test('PostgreSQL store: opening again on an existing schema keeps it and what it holds', async (t) => {
    const schema = testSchema(t)
    const first = await openPostgresStore({ url: postgresUrl, schema })
    await first.load('doc')
    const seq = await first.append('doc', Uint8Array.of(0, 0))
    await first.close()
    const created = await versionsOf(schema)
    assert.deepEqual(created, [1, 2], 'created at the latest version, each step recorded')

    const second = await openPostgresStore({ url: postgresUrl, schema })
    deferCleanup(t, () => second.close())
    assert.deepEqual(await versionsOf(schema), created, 'nothing migrated again')
    const loaded = await second.load('doc')
    assert.equal(loaded.lastSeq, seq)
    assert.deepEqual(
      loaded.log.map((update) => [...update]),
      [[0, 0]],
    )
  })

  test('PostgreSQL store: servers starting at once on a new schema migrate it once', async (t) => {
    const schema = testSchema(t)
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => openPostgresStore({ url: postgresUrl, schema })),
    )
    for (const store of stores) deferCleanup(t, () => store.close())
    assert.deepEqual(await versionsOf(schema), [1, 2])
    // Every one of them works on the tables.
    for (const [i, store] of stores.entries()) await store.writeRecord(`r${i}`, Uint8Array.of(i))
    assert.deepEqual([...((await stores[0]!.readRecord('r3')) ?? [])], [3])
  })

  test('PostgreSQL store: a schema that a newer version wrote is refused, untouched', async (t) => {
    const schema = testSchema(t)
    await (await openPostgresStore({ url: postgresUrl, schema })).close()
    await runSql(`INSERT INTO "${schema}".schema_version (version) VALUES (99)`)
    const opening = openPostgresStore({ url: postgresUrl, schema })
    await assert.rejects(opening, (error: unknown) => {
      assert.ok(error instanceof PostgresStoreError)
      assert.equal(error.isUnreachable, false)
      assert.match(
        error.message,
        new RegExp(
          `schema ${schema}\\): the schema is at version 99, written by a newer collab-server; this one knows versions up to 2`,
        ),
      )
      return true
    })
    assert.deepEqual(await versionsOf(schema), [1, 2, 99])
  })

  test('PostgreSQL store: each schema is a store of its own', async (t) => {
    const [a, b] = [testSchema(t), testSchema(t)]
    const open = async (schema: string): Promise<DocStore> => {
      const store = await openPostgresStore({ url: postgresUrl, schema })
      deferCleanup(t, () => store.close())
      return store
    }
    const [storeA, storeB] = [await open(a), await open(b)]
    await storeA.load('doc')
    await storeA.append('doc', Uint8Array.of(0, 0))
    assert.equal(await storeB.documentInfo('doc'), null)
    assert.deepEqual((await storeB.load('doc')).lastSeq, 0)
  })
})

test('PostgreSQL store: a URL or schema name it cannot use is refused before connecting', async () => {
  const cases: Array<[Parameters<typeof openPostgresStore>[0], RegExp]> = [
    [{ url: 'not a url' }, /expected a URL such as postgres:\/\/user:password@host:5432\/database/],
    [{ url: 'mysql://u:pw@h/db' }, /postgres:\/\/ or postgresql:\/\//],
    [{ url: postgresUrl, schema: 'Collab' }, /expected a schema name of lowercase letters/],
    [{ url: postgresUrl, schema: 'a"b' }, /expected a schema name/],
    [{ url: postgresUrl, schema: 'x'.repeat(64) }, /at most 63 characters/],
    [{ url: postgresUrl, schema: 'pg_collab' }, /reserved for PostgreSQL/],
  ]
  for (const [options, message] of cases) {
    await assert.rejects(openPostgresStore(options), (error: unknown) => {
      assert.ok(error instanceof RangeError)
      assert.match(error.message, message)
      assert.doesNotMatch(error.message, /pw/, 'the URL is not repeated')
      return true
    })
  }
})

await withPostgres('PostgreSQL store with a user that may not create', () => {
  test('PostgreSQL store: a user that may only use the tables opens a schema created before', async (t) => {
    const schema = testSchema(t)
    await (await openPostgresStore({ url: postgresUrl, schema })).close()
    const role = `${schema}_user`
    await runSql(`CREATE ROLE "${role}" LOGIN`)
    deferCleanup(t, async () => {
      await runSql(`DROP OWNED BY "${role}"`)
      await runSql(`DROP ROLE "${role}"`)
    })
    await runSql(`GRANT USAGE ON SCHEMA "${schema}" TO "${role}"`)
    await runSql(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO "${role}"`,
    )
    const url = new URL(postgresUrl)
    url.username = role
    const store = await openPostgresStore({ url: url.toString(), schema })
    deferCleanup(t, () => store.close())
    await store.load('doc')
    assert.equal(await store.append('doc', Uint8Array.of(0, 0)), 1)
    // Without CREATE on the database (PUBLIC has none from PostgreSQL 15 on), the user cannot
    // start a schema of its own: the first start needs that privilege.
    const { rows } = await runSql<{ may: boolean }>(
      "SELECT has_database_privilege($1, current_database(), 'CREATE') AS may",
      [role],
    )
    if (rows[0]?.may === false) {
      await assert.rejects(
        openPostgresStore({ url: url.toString(), schema: `${schema}_new` }),
        /could not open the store: permission denied for database/,
      )
    }
  })
})
