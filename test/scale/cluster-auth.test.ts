// Tokens in a cluster work the same on every instance: the instance a client reaches verifies
// it, the owner enforces its access (a reader's updates are refused there), and a revocation made
// through one instance closes the user's connections on all of them and refuses their old tokens.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { mintToken } from '../../auth/mint-token.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { startCluster, waitForTexts, withClusterServices } from '../helpers/cluster.js'
import { until } from '../helpers/until.js'

const secret = 'cluster-test-secret'
const tokenFor = (sub: string, access: 'read' | 'write', admin = false) =>
  mintToken({ secret, sub, docs: { '*': access }, admin })

await withClusterServices('cluster tokens on PostgreSQL and Redis', () => {
  test('a token works on every instance; the owner refuses a forwarded reader’s updates; a revocation crosses instances', async (t) => {
    const cluster = await startCluster(t, 3, { extraArgs: ['--jwt-secret', secret] })
    const [first, second, third] = cluster.instances as [
      (typeof cluster.instances)[0],
      (typeof cluster.instances)[0],
      (typeof cluster.instances)[0],
    ]
    const aliceToken = await tokenFor('alice', 'write')
    const readerToken = await tokenFor('rita', 'read')
    const owner = new Y.Doc()
    await waitSynced(
      connectProvider(t, first.url, 'guarded', owner, {
        params: { token: await tokenFor('olga', 'write') },
      }),
    )
    const alice = new Y.Doc()
    await waitSynced(
      connectProvider(t, third.url, 'guarded', alice, { params: { token: aliceToken } }),
    )
    const reader = new Y.Doc()
    await waitSynced(
      connectProvider(t, second.url, 'guarded', reader, { params: { token: readerToken } }),
    )

    alice.getText('text').insert(0, 'from alice;')
    await waitForTexts([owner, reader], () => 'from alice;', 'alice’s edit everywhere')
    reader.getText('text').insert(0, 'from the reader;')
    // The owner, not the reader's instance, refuses it: the refusal is in the owner's log.
    await until(
      () => /"userId":"rita","reason":"read-only","msg":"refused an update"/.test(first.output()),
      {
        what: 'the owner to refuse the forwarded reader’s update',
      },
    )
    owner.getText('text').insert(0, 'from olga;')
    await waitForTexts(
      [alice, owner],
      () => 'from olga;from alice;',
      'olga’s edit, and nothing of the reader’s',
    )

    // Alice's raw socket through the third instance, to see how it is closed.
    const socket = new WebSocket(`${third.url}/guarded?token=${aliceToken}`)
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)))
    await new Promise((resolve) => socket.once('open', resolve))
    const revoked = await fetch(`http://127.0.0.1:${second.port}/api/admin/revocations`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${await tokenFor('root', 'write', true)}`,
        'Content-Type': 'application/json',
      },
      body: '{"sub":"alice"}',
    })
    assert.equal(revoked.status, 201)
    assert.equal(await closed, 4403)
    for (const instance of [first, second, third]) {
      await until(
        async () => {
          const response = await fetch(
            `http://127.0.0.1:${instance.port}/api/documents/guarded/content?format=yjs`,
            { headers: { Authorization: `Bearer ${aliceToken}` } },
          )
          return response.status === 401
        },
        { what: `alice’s old token refused by ${instance.url}` },
      )
    }
  })
})
