// Three instances on one PostgreSQL store and one Redis: stock y-websocket clients spread over
// them converge on random concurrent edits, awareness crosses instances and leaves with its
// connection, and each update is stored once for the whole cluster.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Y from 'yjs'
import { openPostgresStore } from '../../persistence/postgres/store.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { seenNames, startCluster, waitForTexts, withClusterServices } from '../helpers/cluster.js'
import { postgresUrl } from '../helpers/postgres.js'
import { until } from '../helpers/until.js'

/** A random generator with a seed, so that a failing run can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0
    return state / 2 ** 32
  }
}

await withClusterServices('cluster on PostgreSQL and Redis', () => {
  test('clients on three instances converge on random concurrent edits, awareness included', async (t) => {
    const cluster = await startCluster(t, 3)
    const names = ['ann', 'bob', 'cy', 'dee', 'eve', 'fay']
    const docs = names.map(() => new Y.Doc())
    const providers = names.map((name, i) => {
      const provider = connectProvider(t, cluster.instances[i % 3]!.url, 'shared', docs[i])
      provider.awareness.setLocalStateField('user', { name })
      return provider
    })
    await Promise.all(providers.map((provider) => waitSynced(provider)))

    const seed = Date.now()
    const random = seededRandom(seed)
    for (let round = 0; round < 30; round++) {
      for (const doc of docs) {
        const text = doc.getText('text')
        if (text.length > 4 && random() < 0.3) {
          text.delete(Math.floor(random() * (text.length - 2)), 2)
        } else {
          text.insert(Math.floor(random() * (text.length + 1)), random().toString(36).slice(2, 5))
        }
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
    await waitForTexts(
      docs,
      () => docs[0]!.getText('text').toString(),
      `convergence (seed ${seed})`,
    )
    assert.ok(docs[0]!.getText('text').length > 0)

    await until(() => providers.every((provider) => seenNames(provider).length === names.length), {
      what: 'every client to see every other’s awareness',
    })
    providers[4]!.destroy()
    await until(
      () => providers.every((provider, i) => i === 4 || !seenNames(provider).includes('eve')),
      { what: 'eve’s awareness gone on every instance' },
    )

    // Stored once for the cluster: what the store holds is the same document, and a client
    // that joins later through any instance gets it.
    const late = new Y.Doc()
    await waitSynced(connectProvider(t, cluster.instances[2]!.url, 'shared', late))
    assert.equal(late.getText('text').toString(), docs[0]!.getText('text').toString())
  })

  test('an update is stored once for the cluster, however many instances relay it', async (t) => {
    const cluster = await startCluster(t, 3)
    const docs = [new Y.Doc(), new Y.Doc(), new Y.Doc()]
    const providers = docs.map((doc, i) =>
      connectProvider(t, cluster.instances[i]!.url, 'once', doc),
    )
    await Promise.all(providers.map((provider) => waitSynced(provider)))
    for (let i = 0; i < 20; i++) docs[i % 3]!.getText('text').insert(0, `${i};`)
    await waitForTexts(docs, () => docs[0]!.getText('text').toString(), 'convergence')

    const schema = /--postgres-schema (\S+)/.exec(cluster.instances[0]!.child.spawnargs.join(' '))
    const store = await openPostgresStore({ url: postgresUrl, schema: schema![1] })
    deferCleanup(t, () => store.close())
    const info = await store.documentInfo('once')
    assert.ok(info, 'the document is stored')
    const stored = await store.read('once')
    // 20 updates from clients, each once; compaction may have folded some into the state.
    assert.ok(stored.lastSeq <= 20, `${stored.lastSeq} entries numbered for 20 updates`)
    assert.ok(stored.lastSeq >= 1)
  })

  test('forwarded connections opened at once all sync, and the owner lets each go when it closes', async (t) => {
    const cluster = await startCluster(t, 2)
    const [owner, edge] = cluster.instances as [
      (typeof cluster.instances)[0],
      (typeof cluster.instances)[0],
    ]
    const documents = ['d1', 'd2', 'd3', 'd4']
    for (const document of documents) await waitSynced(connectProvider(t, owner.url, document))
    const forwarded = documents.flatMap((document) =>
      Array.from({ length: 10 }, () => connectProvider(t, edge.url, document)),
    )
    await Promise.all(forwarded.map((provider) => waitSynced(provider)))
    const health = async () =>
      (await (await fetch(`http://127.0.0.1:${owner.port}/healthz`)).json()) as {
        cluster: { linksIn: number }
      }
    assert.equal((await health()).cluster.linksIn, forwarded.length)
    for (const provider of forwarded) provider.destroy()
    await until(async () => (await health()).cluster.linksIn === 0, {
      what: 'the owner to let every forwarded connection go',
    })
  })
})
