// PostgreSQL for tests: the machine's server (POSTGRES_URL, else the local one with trust
// authentication that .ci/run starts), a schema of its own for each test, dropped after it, and
// tests that need it skipped with a message where it does not run, except under CI=true, where
// that is a failure.
import { randomBytes } from 'node:crypto'
import { type TestContext, test } from 'node:test'
import pg from 'pg'
import { redactPostgresUrl } from '../../persistence/postgres/postgres-url.js'
import { postgresProblem } from '../../scripts/service-probes.js'
import { deferCleanup } from './cleanup.js'

/** The server the tests use. */
export const postgresUrl = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

let availability: Promise<string | null> | undefined

/** Why PostgreSQL cannot be used, or null when it answers (asked once per process). */
function availabilityProblem(): Promise<string | null> {
  availability ??= postgresProblem(postgresUrl, 3_000)
  return availability
}

/**
 * Declares the tests of `declare` when PostgreSQL answers at `postgresUrl`. Otherwise declares one
 * test in their place that says so: skipped with a message, or failing under CI=true.
 */
export async function withPostgres(what: string, declare: () => void): Promise<void> {
  const problem = await availabilityProblem()
  if (problem === null) return declare()
  const message = `PostgreSQL does not answer at ${redactPostgresUrl(postgresUrl)} (${problem}): start it (.ci/run does) or set POSTGRES_URL`
  test(what, (t) => {
    if (process.env.CI === 'true') throw new Error(message)
    console.warn(`\n*** SKIPPED ${what}: ${message} ***\n`)
    t.skip(message)
  })
}

/** Runs one statement on the test server with a connection of its own. */
export async function runSql<Row extends pg.QueryResultRow = Record<string, unknown>>(
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<Row>> {
  const client = new pg.Client({ connectionString: postgresUrl })
  await client.connect()
  try {
    return await client.query<Row>(text, values)
  } finally {
    await client.end()
  }
}

/**
 * A schema name that no other test uses (`collab_test_<random>`); whatever the test creates in it
 * is dropped after the test, once what was set up after this call has been released.
 */
export function testSchema(t: TestContext): string {
  const name = `collab_test_${randomBytes(6).toString('hex')}`
  deferCleanup(t, () => runSql(`DROP SCHEMA IF EXISTS "${name}" CASCADE`))
  return name
}
