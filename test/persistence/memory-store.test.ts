// The memory store: the DocStore contract, and what it adds (one open store per storage, copies).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MemoryStorage, createMemoryStore } from '../../persistence/memory/store.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { runStoreContract } from '../helpers/store-contract.js'

runStoreContract('memory store', (t) => {
  const storage = new MemoryStorage()
  const open = (): Promise<ReturnType<typeof createMemoryStore>> => {
    const store = createMemoryStore(storage)
    deferCleanup(t, () => store.close())
    return Promise.resolve(store)
  }
  return open().then((store) => ({ store, reopen: open }))
})

test('memory store: one store at a time has the storage open, as with a locked directory', async (t) => {
  const storage = new MemoryStorage()
  const store = createMemoryStore(storage)
  deferCleanup(t, () => store.close())
  assert.throws(() => createMemoryStore(storage), /open in another store/)
  await store.close()
  const reopened = createMemoryStore(storage)
  deferCleanup(t, () => reopened.close())
})

test('memory store: updates are copied, so a caller reusing its buffer changes nothing stored', async (t) => {
  const store = createMemoryStore()
  deferCleanup(t, () => store.close())
  await store.load('doc')
  const update = Uint8Array.of(1, 2, 3)
  await store.append('doc', update)
  update[0] = 9
  const loaded = await store.load('doc')
  assert.deepEqual(loaded.log, [Uint8Array.of(1, 2, 3)])
  loaded.log[0]![1] = 9
  assert.deepEqual((await store.load('doc')).log, [Uint8Array.of(1, 2, 3)])
})

test('memory store: versions and their records are copied in and out', async (t) => {
  const store = createMemoryStore()
  deferCleanup(t, () => store.close())
  const content = Uint8Array.of(1, 2)
  const author = { userId: 'u', name: 'Ada', isVerified: true, clientIds: [1] }
  const info = {
    id: '1',
    name: null,
    kind: 'auto' as const,
    createdAtMs: 1,
    bytes: 2,
    authors: [author],
  }
  await store.putVersion('doc', info, content)
  content[0] = 9
  author.clientIds.push(2)
  assert.deepEqual(await store.readVersion('doc', '1'), Uint8Array.of(1, 2))
  const [listed] = await store.listVersions('doc')
  assert.deepEqual(listed?.authors[0]?.clientIds, [1])
  ;(await store.readVersion('doc', '1'))![0] = 9
  assert.deepEqual(await store.readVersion('doc', '1'), Uint8Array.of(1, 2))
})
