// The PostgreSQL store when PostgreSQL is away: nothing resolves as if stored, nothing hangs (a
// bounded connect timeout and query timeout), no idle connection's error goes unhandled, messages
// name the server without its password, and the store works again by itself once it is back.
// PostgreSQL is taken away by a proxy in front of it (test/helpers/tcp-proxy.ts).
import assert from 'node:assert/strict'
import { type AddressInfo, createServer } from 'node:net'
import { type TestContext, test } from 'node:test'
import { inspect } from 'node:util'
import { PostgresStoreError, openPostgresStore } from '../../persistence/postgres/store.js'
import type { DocStore } from '../../persistence/store.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { postgresUrl, testSchema, withPostgres } from '../helpers/postgres.js'
import { TcpProxy } from '../helpers/tcp-proxy.js'
import { until } from '../helpers/until.js'

/** `url` with its host and port replaced. */
function urlThrough(url: string, port: number, password?: string): string {
  const through = new URL(url)
  through.hostname = '127.0.0.1'
  through.port = String(port)
  if (password !== undefined) through.password = password
  return through.toString()
}

/** A loopback port where nothing listens (it did a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Asserts that `call` rejects with a PostgresStoreError within `withinMs`. */
async function rejectsSoon(
  call: Promise<unknown>,
  withinMs: number,
  message: RegExp,
): Promise<PostgresStoreError> {
  const startedAt = performance.now()
  let caught: unknown
  await assert.rejects(call, (error: unknown) => ((caught = error), true))
  const tookMs = performance.now() - startedAt
  assert.ok(tookMs < withinMs, `rejected after ${tookMs.toFixed(0)} ms, more than ${withinMs}`)
  assert.ok(caught instanceof PostgresStoreError, inspect(caught))
  assert.match(caught.message, message)
  return caught
}

/** A store on a fresh schema through a proxy, and the problems it reported. */
async function storeBehindProxy(
  t: TestContext,
  options: { connectTimeoutMs?: number; queryTimeoutMs?: number } = {},
): Promise<{ store: DocStore; proxy: TcpProxy; problems: string[] }> {
  const target = new URL(postgresUrl)
  const proxy = await TcpProxy.start(t, {
    host: target.hostname,
    port: Number(target.port || 5432),
  })
  const problems: string[] = []
  const schema = testSchema(t)
  const store = await openPostgresStore({
    url: urlThrough(postgresUrl, proxy.port),
    schema,
    ...options,
    onProblem: (message) => problems.push(message),
  })
  deferCleanup(t, () => store.close())
  return { store, proxy, problems }
}

test('PostgreSQL store: opening where nothing listens rejects at once, naming the server without its password', async () => {
  const port = await closedPort()
  const url = urlThrough(postgresUrl, port, 'hunter2')
  const error = await rejectsSoon(
    openPostgresStore({ url }),
    4_000,
    new RegExp(`could not open the store: .*ECONNREFUSED`),
  )
  assert.equal(error.isUnreachable, true)
  assert.ok(
    error.message.includes(`${urlThrough(postgresUrl, port, '***')}, schema collab`),
    error.message,
  )
  assert.doesNotMatch(inspect(error, { depth: 10 }), /hunter2/, 'nowhere in the error')
})

test('PostgreSQL store: opening on a server that never answers fails once the connect timeout passes', async (t) => {
  const proxy = await TcpProxy.start(t, { host: '127.0.0.1', port: await closedPort() })
  proxy.silence()
  const error = await rejectsSoon(
    openPostgresStore({ url: urlThrough(postgresUrl, proxy.port), connectTimeoutMs: 300 }),
    3_000,
    /timeout/i,
  )
  assert.equal(error.isUnreachable, true)
})

await withPostgres('PostgreSQL store failures', () => {
  test('PostgreSQL store: while PostgreSQL is away calls reject at once, and the store works again once it is back', async (t) => {
    const { store, proxy, problems } = await storeBehindProxy(t, { connectTimeoutMs: 1_000 })
    await store.load('doc')
    const first = await store.append('doc', Uint8Array.of(1, 1))
    // Several connections, idle once these are answered.
    await Promise.all(Array.from({ length: 4 }, () => store.documentInfo('doc')))
    await proxy.refuse()
    // Their failure is reported, not thrown as an 'error' event nobody listens to.
    await until(
      () => problems.some((problem) => /an idle connection to PostgreSQL/.test(problem)),
      {
        what: 'the broken idle connections to be reported',
      },
    )

    const away = /could not .*(ECONNREFUSED|Connection terminated)/
    const appendError = await rejectsSoon(store.append('doc', Uint8Array.of(2, 2)), 3_000, away)
    assert.equal(appendError.isUnreachable, true)
    assert.match(appendError.message, /could not append to room "doc"/)
    await rejectsSoon(store.documentInfo('doc'), 3_000, away)
    await rejectsSoon(store.listDocuments({ prefix: '', limit: 10, after: null }), 3_000, away)
    await rejectsSoon(store.writeRecord('health-probe', Uint8Array.of(0)), 3_000, away)
    await rejectsSoon(store.load('doc'), 3_000, away)

    await proxy.restore()
    const next = await store.append('doc', Uint8Array.of(3, 3))
    assert.ok(next > first, 'appends go on')
    const loaded = await store.load('doc')
    assert.deepEqual(
      loaded.log.map((update) => [...update]),
      [
        [1, 1],
        [3, 3],
      ],
      'the append that rejected was not stored',
    )
  })

  test('PostgreSQL store: a statement that gets no answer fails after the query timeout, and the store goes on', async (t) => {
    const { store, proxy } = await storeBehindProxy(t, {
      connectTimeoutMs: 500,
      queryTimeoutMs: 500,
    })
    await store.load('doc')
    proxy.silence()
    await rejectsSoon(store.append('doc', Uint8Array.of(1)), 3_000, /timeout/i)
    await rejectsSoon(store.documentInfo('doc'), 3_000, /timeout/i)
    await proxy.restore()
    await store.append('doc', Uint8Array.of(2))
    assert.deepEqual(
      (await store.load('doc')).log.map((update) => [...update]),
      [[2]],
    )
  })
})
