import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { connectProvider, createProvider, waitSynced } from '../helpers/client.js'
import { startServer } from '../helpers/start-server.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { wrapStore } from '../helpers/store-wrapper.js'
import { until } from '../helpers/until.js'

/** A gate a test opens by hand; the store wrappers below wait on it. */
function createGate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { opened, open }
}

test('concurrent first connections share one load, and none is synced before it completes', async (t) => {
  const dataDirectory = await makeTempDir(t)
  const seeding = await startServer(t, { dataDirectory })
  const seeder = connectProvider(t, seeding.url, 'slow-load')
  await waitSynced(seeder)
  seeder.doc.getText('text').insert(0, 'stored text')
  await seeding.events.waitFor('updateStored', 'slow-load')
  seeder.destroy()
  await seeding.stop()

  const gate = createGate()
  let loads = 0
  const server = await startServer(t, {
    dataDirectory,
    wrapStore: (store) =>
      wrapStore(store, {
        load: async (name) => {
          loads++
          await gate.opened
          return store.load(name)
        },
      }),
  })
  let upgrades = 0
  server.server.httpServer.on('upgrade', () => upgrades++)
  const providers = Array.from({ length: 5 }, () => connectProvider(t, server.url, 'slow-load'))
  await until(() => upgrades === 5, { what: 'all five upgrades to reach the server' })
  assert.equal(loads, 1, 'one load for five connections')
  assert.ok(
    providers.every((provider) => !provider.wsconnected && !provider.synced),
    'nobody is connected yet',
  )

  gate.open()
  await Promise.all(providers.map((provider) => waitSynced(provider)))
  for (const provider of providers)
    assert.equal(provider.doc.getText('text').toString(), 'stored text')
  assert.equal(loads, 1)
})

test('a join while the document is being unloaded waits, then loads it afresh with its content', async (t) => {
  const gate = createGate()
  let isGated = false
  let loads = 0
  const server = await startServer(t, {
    limits: { unloadGraceMs: 1 },
    wrapStore: (store) =>
      wrapStore(store, {
        load: (name) => {
          loads++
          return store.load(name)
        },
        compact: async (name, state, seq) => {
          if (isGated) await gate.opened
          return store.compact(name, state, seq)
        },
      }),
  })
  const first = connectProvider(t, server.url, 'unloading')
  await waitSynced(first)
  first.doc.getText('text').insert(0, 'kept')
  await until(async () => (await server.store.load('unloading')).log.length === 1, {
    what: 'the edit to be stored',
  })
  isGated = true
  first.destroy()
  await until(() => server.server.stats().connections === 0, {
    what: 'the server to see the close',
  })
  // The unload begins 1 ms after the close and then waits on the gated write.
  await until(() => server.logs.some((line) => line.msg === 'unloading the document'), {
    what: 'the unload to begin',
  })
  let upgrades = 0
  server.server.httpServer.on('upgrade', () => upgrades++)
  const loadsBeforeJoin = loads
  const second = connectProvider(t, server.url, 'unloading')
  await until(() => upgrades === 1, { what: 'the join to reach the server' })
  gate.open()
  await waitSynced(second)
  assert.equal(second.doc.getText('text').toString(), 'kept')
  assert.equal(
    loads,
    loadsBeforeJoin + 1,
    'the join waited for the unload, then loaded the document again',
  )
})

test('opening and closing 1,000 documents leaves none loaded and no memory growth', async (t) => {
  // Each y-websocket provider adds a process 'exit' listener; 50 exist at once here.
  process.setMaxListeners(100)
  t.after(() => process.setMaxListeners(10))
  setFlagsFromString('--expose-gc')
  const collectGarbage = runInNewContext('gc') as () => void
  const server = await startServer(t, { limits: { unloadGraceMs: 1 } })

  // Providers are created untracked (not kept for cleanup by the test) so that the heap
  // measured below is the server's.
  const openEditClose = async (names: string[]): Promise<void> => {
    const batchSize = 50
    for (let start = 0; start < names.length; start += batchSize) {
      const batch = names.slice(start, start + batchSize)
      const providers = batch.map((name) => createProvider(server.url, name))
      await Promise.all(providers.map((provider) => waitSynced(provider)))
      for (const provider of providers)
        provider.doc.getText('text').insert(0, `content of ${provider.roomname}`)
      await Promise.all(batch.map((name) => server.events.waitFor('updateStored', name)))
      for (const provider of providers) {
        provider.destroy()
        provider.doc.destroy()
      }
    }
    await until(
      () => server.server.stats().documents === 0 && server.server.stats().connections === 0,
      {
        timeoutMs: 30_000,
        what: 'every document to unload',
      },
    )
  }
  // What the test server records (every log line and event) would be measured too.
  const heapAfterGc = (): number => {
    server.logs.length = 0
    server.events.clear()
    collectGarbage()
    collectGarbage()
    return process.memoryUsage().heapUsed
  }

  await openEditClose(Array.from({ length: 200 }, (_, i) => `warm-up-${i}`))
  const before = heapAfterGc()
  await openEditClose(Array.from({ length: 1000 }, (_, i) => `doc-${i}`))
  const after = heapAfterGc()
  const growthBytes = after - before
  t.diagnostic(`heap before ${(before / 1e6).toFixed(1)} MB, after ${(after / 1e6).toFixed(1)} MB`)
  assert.equal(server.server.stats().documents, 0)
  // Rounds of 1,000 documents move the heap by -0.2 to +1.1 MB; keeping even 3 KB per
  // document (a Y.Doc with its room is more) would pass 3 MB.
  assert.ok(growthBytes < 3_000_000, `heap grew by ${(growthBytes / 1e6).toFixed(2)} MB`)
  const sample = await server.store.load('doc-999')
  assert.ok(sample.compacted, 'each document was compacted into one state before unloading')
  assert.equal(sample.log.length, 0)
  server.store.evict('doc-999')
})
