// The PostgreSQL store keeps the DocStore contract, each test on a schema of its own.
import { openPostgresStore } from '../../persistence/postgres/store.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { postgresUrl, testSchema, withPostgres } from '../helpers/postgres.js'
import { runStoreContract } from '../helpers/store-contract.js'

await withPostgres('PostgreSQL store contract', () => {
  runStoreContract('PostgreSQL store', async (t) => {
    const schema = testSchema(t)
    const open = async () => {
      const store = await openPostgresStore({ url: postgresUrl, schema })
      deferCleanup(t, () => store.close())
      return store
    }
    return { store: await open(), reopen: open }
  })
})
