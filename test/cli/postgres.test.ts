// The server command with --postgres: documents go to PostgreSQL and survive a restart (even a
// SIGKILL), the password never shows, and flags that cannot work exit 2 with one line, PostgreSQL
// that cannot be reached exits 1.
import assert from 'node:assert/strict'
import { type AddressInfo, createServer } from 'node:net'
import { test } from 'node:test'
import * as Y from 'yjs'
import { openPostgresStore } from '../../persistence/postgres/store.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { postgresUrl, testSchema, withPostgres } from '../helpers/postgres.js'
import { runCommand, runRefusal, spawnServer } from '../helpers/start-server.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

/** `postgresUrl` with a password (trust authentication does not ask for it) and maybe a port. */
function urlWith(password: string, port?: number): string {
  const url = new URL(postgresUrl)
  url.password = password
  if (port !== undefined) url.port = String(port)
  return url.toString()
}

test('--help lists the PostgreSQL flags with their defaults and variables', async () => {
  const { code, output } = await runCommand(['--help'])
  assert.equal(code, 0)
  assert.match(output, /--postgres <url>[\s\S]*env: POSTGRES_URL/)
  assert.match(output, /--postgres-schema <name>[\s\S]*default: "collab",\s+env:\s+POSTGRES_SCHEMA/)
  assert.match(
    output,
    /--postgres-pool-size <count>[\s\S]*default: 10,\s+env:\s+POSTGRES_POOL_SIZE/,
  )
})

test('PostgreSQL flags that cannot work exit with code 2 and one line, never showing the password', async (t) => {
  const url = urlWith('hunter2')
  const cases: Array<{ args: string[]; env?: NodeJS.ProcessEnv; message: RegExp }> = [
    {
      args: ['--postgres', 'postgres//postgres:hunter2@localhost/test'],
      message:
        /--postgres \/ POSTGRES_URL: expected a URL such as postgres:\/\/user:password@host:5432\/database/,
    },
    {
      args: [],
      env: { POSTGRES_URL: 'mysql://root:hunter2@localhost/test' },
      message: /--postgres \/ POSTGRES_URL: .*\(postgres:\/\/ or postgresql:\/\/\)/,
    },
    {
      args: ['--postgres', url, '--postgres-schema', 'Team-Docs'],
      message:
        /--postgres-schema <name>' argument 'Team-Docs' is invalid\. expected a schema name of lowercase letters/,
    },
    {
      args: ['--postgres', url, '--postgres-schema', 'pg_docs'],
      message: /schema names starting with pg_ are reserved for PostgreSQL/,
    },
    {
      args: ['--postgres', url, '--data', await makeTempDir(t)],
      message: /give --postgres \(PostgreSQL\) or --data \(LevelDB\), not both/,
    },
    {
      args: [],
      env: { POSTGRES_URL: url, DATA_DIR: '/var/lib/collab' },
      message: /give --postgres \(PostgreSQL\) or --data \(LevelDB\), not both/,
    },
    { args: ['--postgres', url, '--fsync'], message: /--fsync is the LevelDB store’s/ },
    { args: ['--postgres-schema', 'docs'], message: /--postgres-schema needs --postgres/ },
    {
      args: ['--postgres', url, '--postgres-pool-size', '0'],
      message:
        /--postgres-pool-size <count>' argument '0' is invalid\. expected a whole number of at least 1/,
    },
  ]
  for (const { args, env, message } of cases) {
    const { code, line } = await runRefusal(['--port', '0', ...args], env)
    assert.equal(code, 2, `${args.join(' ')} ${JSON.stringify(env)}`)
    assert.match(line, message)
    assert.doesNotMatch(line, /hunter2/)
  }
})

test('PostgreSQL that cannot be reached at start exits with code 1 and one line without the password', async () => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  const { code, line } = await runRefusal(['--port', '0', '--postgres', urlWith('hunter2', port)])
  assert.equal(code, 1)
  assert.match(
    line,
    new RegExp(
      `^collab-server: PostgreSQL \\(postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${port}/\\w+, schema collab\\) could not open the store: .*ECONNREFUSED.* \\(--postgres / POSTGRES_URL\\)$`,
    ),
  )
  assert.doesNotMatch(line, /hunter2/)
})

await withPostgres('the server command with --postgres', () => {
  test('with --postgres, a document written through y-websocket survives a SIGKILL and restart', async (t) => {
    const schema = testSchema(t)
    const url = urlWith('hunter2')
    const first = await spawnServer(t, null, ['--postgres', url, '--postgres-schema', schema])
    const doc = new Y.Doc()
    const provider = connectProvider(t, first.url, 'team/notes', doc)
    await waitSynced(provider)
    doc.getText('text').insert(0, 'kept in PostgreSQL')
    // Another store on the schema sees the append once it is committed.
    const reader = await openPostgresStore({ url: postgresUrl, schema })
    deferCleanup(t, () => reader.close())
    await until(async () => (await reader.documentInfo('team/notes')) !== null, {
      what: 'the update to be committed',
    })
    provider.destroy()
    first.child.kill('SIGKILL')
    await first.exited
    assert.match(
      first.output(),
      /"postgres":"postgres:\/\/postgres:\*\*\*@[^"]+","postgresSchema":"collab_test_/,
    )
    assert.doesNotMatch(first.output(), /hunter2/, 'the password is not logged')

    // The URL from the environment this time.
    const second = await spawnServer(t, null, ['--postgres-schema', schema], { POSTGRES_URL: url })
    const reloaded = new Y.Doc()
    await waitSynced(connectProvider(t, second.url, 'team/notes', reloaded))
    assert.equal(reloaded.getText('text').toString(), 'kept in PostgreSQL')
    assert.doesNotMatch(second.output(), /hunter2/)
  })

  test('PostgreSQL that refuses the connection (no such database) exits with code 2', async () => {
    const url = new URL(postgresUrl)
    url.pathname = '/collab_no_such_database'
    const { code, line } = await runRefusal(['--port', '0', '--postgres', url.toString()])
    assert.equal(code, 2)
    assert.match(
      line,
      /database "collab_no_such_database" does not exist \(--postgres \/ POSTGRES_URL\)$/,
    )
  })
})
