// The PostgreSQL store keeps the DocStore contract, each test on a schema of its own, and the
// contract of a store that several processes share, with two stores on one schema.
import type { TestContext } from 'node:test'
import { openPostgresStore } from '../../persistence/postgres/store.js'
import type { DocStore } from '../../persistence/store.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { postgresUrl, testSchema, withPostgres } from '../helpers/postgres.js'
import { runSharedStoreContract, runStoreContract } from '../helpers/store-contract.js'

/** Opens stores on a fresh schema, each closed after the test. */
function storesOnOneSchema(t: TestContext): () => Promise<DocStore> {
  const schema = testSchema(t)
  return async () => {
    const store = await openPostgresStore({ url: postgresUrl, schema })
    deferCleanup(t, () => store.close())
    return store
  }
}

await withPostgres('PostgreSQL store contract', () => {
  runStoreContract('PostgreSQL store', async (t) => {
    const open = storesOnOneSchema(t)
    return { store: await open(), reopen: open }
  })
  runSharedStoreContract('PostgreSQL store', async (t) => {
    const open = storesOnOneSchema(t)
    return [await open(), await open()]
  })
})
