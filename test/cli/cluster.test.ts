// The server command with --redis: the cluster flags and their refusals, an unreachable Redis,
// what /healthz and /metrics say of the cluster, and the document API on a document another
// instance has open.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Y from 'yjs'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { startCluster, withClusterServices } from '../helpers/cluster.js'
import { postgresUrl, testSchema } from '../helpers/postgres.js'
import { runCommand, runRefusal } from '../helpers/start-server.js'
import { until } from '../helpers/until.js'

test('--help lists the cluster flags with their defaults and variables', async () => {
  const { code, output } = await runCommand(['--help'])
  assert.equal(code, 0)
  assert.match(output, /--redis <url>[\s\S]*env: REDIS_URL/)
  assert.match(output, /--redis-prefix <prefix>[\s\S]*default: "collab:",\s+env:\s+REDIS_PREFIX/)
  assert.match(output, /--instance-id <id>[\s\S]*env: INSTANCE_ID/)
})

test('cluster flags that cannot work exit with code 2 and one line, never showing a password', async () => {
  const redis = 'redis://:hunter2@127.0.0.1:6379'
  const cases: Array<{ args: string[]; env?: NodeJS.ProcessEnv; message: RegExp }> = [
    {
      args: ['--redis', redis],
      message:
        /--redis needs --postgres \(or POSTGRES_URL\): the instances of a cluster share one PostgreSQL store/,
    },
    {
      args: ['--postgres', postgresUrl, '--redis', 'http://:hunter2@127.0.0.1:6379'],
      message: /--redis \/ REDIS_URL: expected a URL such as redis:\/\/127\.0\.0\.1:6379/,
    },
    {
      args: ['--postgres', postgresUrl],
      env: { REDIS_URL: 'hunter2' },
      message: /--redis \/ REDIS_URL: expected a URL/,
    },
    { args: ['--instance-id', 'a'], message: /--instance-id needs --redis \(or REDIS_URL\)/ },
    { args: ['--redis-prefix', 'p:'], message: /--redis-prefix needs --redis/ },
    {
      args: ['--postgres', postgresUrl, '--redis', redis, '--instance-id', 'has space'],
      message:
        /--instance-id <id>' argument 'has space' is invalid\. an instance id is 1 to 100 letters/,
    },
    {
      args: ['--postgres', postgresUrl, '--redis', redis, '--redis-prefix', 'a{b}'],
      message: /a Redis key prefix is 1 to 100 letters/,
    },
  ]
  for (const { args, env, message } of cases) {
    const { code, line } = await runRefusal(['--port', '0', ...args], env)
    assert.equal(code, 2, `${args.join(' ')} ${JSON.stringify(env)}`)
    assert.match(line, message)
    assert.doesNotMatch(line, /hunter2/)
  }
})

await withClusterServices('the cluster command on PostgreSQL and Redis', () => {
  test('a Redis that cannot be reached exits 1 with one line naming it without its password', async (t) => {
    const { code, line } = await runRefusal([
      '--port',
      '0',
      '--postgres',
      postgresUrl,
      '--postgres-schema',
      testSchema(t),
      '--redis',
      'redis://:hunter2@127.0.0.1:1',
    ])
    assert.equal(code, 1)
    assert.match(
      line,
      /Redis \(redis:\/\/:\*\*\*@127\.0\.0\.1:1\) cannot be reached: .*\(--redis \/ REDIS_URL\)/,
    )
    assert.doesNotMatch(line, /hunter2/)
  })

  test('a second instance with the id of a running one exits 2 with one line', async (t) => {
    const cluster = await startCluster(t, 1)
    const args = cluster.instances[0]!.child.spawnargs
    const flags = args.slice(args.indexOf('cli/main.ts') + 1)
    const port = flags.indexOf('--port')
    flags[port + 1] = '0'
    const { code, line } = await runRefusal(flags)
    assert.equal(code, 2)
    assert.match(
      line,
      /another running instance uses the id instance-1 on this Redis \(prefix collab-test-[0-9a-f]+:\); give each instance its own --instance-id/,
    )
  })

  test('/healthz and /metrics show the bus, ownership and forwarded connections', async (t) => {
    const cluster = await startCluster(t, 2, { extraArgs: ['--metrics'] })
    const [first, second] = cluster.instances as [
      (typeof cluster.instances)[0],
      (typeof cluster.instances)[0],
    ]
    await waitSynced(connectProvider(t, first.url, 'watched'))
    await waitSynced(connectProvider(t, second.url, 'watched'))
    const health = async (port: number) =>
      (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
        status: string
        cluster: {
          instanceId: string
          status: string
          ownedDocuments: number
          linksOut: number
          linksIn: number
        }
      }
    await until(async () => (await health(first.port)).cluster.linksIn === 1, {
      what: 'the owner to count the forwarded connection',
    })
    const owner = await health(first.port)
    assert.equal(owner.status, 'ok')
    assert.deepEqual(
      { ...owner.cluster, busLatencyMs: undefined, takeovers: undefined },
      {
        instanceId: 'instance-1',
        status: 'ok',
        busLatencyMs: undefined,
        ownedDocuments: 1,
        linksOut: 0,
        linksIn: 1,
        takeovers: undefined,
      },
    )
    const forwarder = await health(second.port)
    assert.equal(forwarder.cluster.linksOut, 1)
    assert.equal(forwarder.cluster.ownedDocuments, 0)

    const metrics = await (await fetch(`http://127.0.0.1:${first.port}/metrics`)).text()
    assert.match(metrics, /^collab_cluster_bus_up 1$/m)
    assert.match(metrics, /^collab_cluster_bus_latency_seconds \d/m)
    assert.match(metrics, /^collab_cluster_owned_documents 1$/m)
    assert.match(metrics, /^collab_cluster_links\{direction="in"\} 1$/m)
    assert.match(metrics, /^collab_cluster_takeovers_total 0$/m)
    assert.match(metrics, /^collab_store_append_seconds_count \d+$/m)
  })

  test('the document API reads a document another instance has open, and refuses writes and deletes with 409 naming the owner', async (t) => {
    const cluster = await startCluster(t, 2)
    const [first, second] = cluster.instances as [
      (typeof cluster.instances)[0],
      (typeof cluster.instances)[0],
    ]
    const doc = new Y.Doc()
    await waitSynced(connectProvider(t, first.url, 'notes', doc))
    doc.getText('text').insert(0, 'kept in PostgreSQL')
    const api = `http://127.0.0.1:${second.port}/api/documents/notes/content?format=yjs`
    const read = new Y.Doc()
    await until(
      async () => {
        const response = await fetch(api)
        if (!response.ok) return false
        Y.applyUpdate(read, new Uint8Array(await response.arrayBuffer()))
        return read.getText('text').toString() === 'kept in PostgreSQL'
      },
      { what: 'the document read through the instance that does not own it' },
    )

    const change = new Y.Doc()
    change.getText('text').insert(0, 'more ')
    const write = await fetch(api, { method: 'PUT', body: Y.encodeStateAsUpdate(change) })
    assert.equal(write.status, 409)
    const refusal = (await write.json()) as { error: string; reason: string }
    assert.equal(refusal.error, 'COLLAB_OPEN_ELSEWHERE')
    assert.match(refusal.reason, /open on instance instance-1/)
    // Deleting closes the document's clients: only its owner may.
    const deleting = await fetch(`http://127.0.0.1:${second.port}/api/documents/notes`, {
      method: 'DELETE',
    })
    assert.equal(deleting.status, 409)
    assert.equal(((await deleting.json()) as { error: string }).error, 'COLLAB_OPEN_ELSEWHERE')
    assert.equal(doc.getText('text').toString(), 'kept in PostgreSQL')
  })
})
