import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { DocStore } from '../../persistence/store.js'
import type {
  Authenticate,
  ChangeDetails,
  CollabDocument,
  StoreErrorDetails,
} from '../../server/index.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { startServer } from '../helpers/start-server.js'
import { wrapStore } from '../helpers/store-wrapper.js'
import { until } from '../helpers/until.js'

const authenticate: Authenticate = (request) => {
  const user = request.url.searchParams.get('user') ?? 'nobody'
  return Promise.resolve({ userId: user, name: user.toUpperCase(), access: () => 'write' })
}

test('the hooks hear loads, changes with their authors, and unloads with the last content', async (t) => {
  const calls: string[] = []
  const changes: ChangeDetails[] = []
  let unloaded: CollabDocument | undefined
  let textAtUnload = ''
  const server = await startServer(t, {
    authenticate,
    hooks: {
      onLoad: (document) => calls.push(`load ${document.name}`),
      onChange: (document, change) => {
        calls.push(`change ${document.name}`)
        changes.push(change)
      },
      onUnload: (document) => {
        calls.push(`unload ${document.name}`)
        unloaded = document
        textAtUnload = document.read((doc) => doc.getText('text').toString())
      },
    },
  })
  const ada = connectProvider(t, server.url, 'plan', undefined, { params: { user: 'ada' } })
  const bob = connectProvider(t, server.url, 'plan', undefined, { params: { user: 'bob' } })
  await Promise.all([waitSynced(ada), waitSynced(bob)])
  ada.doc.getText('text').insert(0, 'first ')
  await until(() => changes.length === 1, { what: 'ada’s change' })
  bob.doc.getText('text').insert(6, 'second')
  await until(() => changes.length === 2, { what: 'bob’s change' })
  ada.destroy()
  bob.destroy()
  await until(() => unloaded !== undefined, { what: 'the unload' })

  assert.deepEqual(calls, ['load plan', 'change plan', 'change plan', 'unload plan'])
  assert.deepEqual(
    changes.map((change) => change.authors),
    [[{ userId: 'ada', name: 'ADA' }], [{ userId: 'bob', name: 'BOB' }]],
  )
  assert.deepEqual(
    changes.map((change) => change.origin.kind),
    ['connection', 'connection'],
  )
  assert.equal(textAtUnload, 'first second')
  assert.throws(() => unloaded!.read(() => 0), /no longer open/)
})

test('onStoreError hears a failed append with its document and operation', async (t) => {
  const failures: StoreErrorDetails[] = []
  let isFailing = false
  const diskFull = new Error('injected: disk full')
  const server = await startServer(t, {
    wrapStore: (store: DocStore) =>
      wrapStore(store, {
        append: (room, update) =>
          isFailing ? Promise.reject(diskFull) : store.append(room, update),
      }),
    hooks: { onStoreError: (details) => failures.push(details) },
  })
  const writer = connectProvider(t, server.url, 'ledger')
  await waitSynced(writer)
  writer.shouldConnect = false
  isFailing = true
  writer.doc.getText('text').insert(0, 'lost')
  await until(() => failures.length > 0, { what: 'the store error' })
  assert.deepEqual(failures[0], { document: 'ledger', operation: 'append', error: diskFull })
})
