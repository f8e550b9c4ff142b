// A store that fails: a real full disk (a small tmpfs, where the machine lets the test mount one)
// and a failure injected through the store seam. New documents are refused with 503 at once,
// /healthz says so, writers get 1011, and everything comes back by itself.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import * as Y from 'yjs'
import type { DocStore } from '../../persistence/store.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { getJson, requestUpgrade } from '../helpers/http.js'
import { spawnServer, startServer } from '../helpers/start-server.js'
import { wrapStore } from '../helpers/store-wrapper.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

const MiB = 1024 * 1024

/** Mounts a tmpfs of `sizeMiB` on a new directory (unmounted after the test), or returns null. */
async function mountSmallDisk(t: TestContext, sizeMiB: number): Promise<string | null> {
  const directory = await makeTempDir(t, 'collab-full-disk-')
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', directory], {
      stdio: 'ignore',
    })
  } catch {
    return null
  }
  deferCleanup(t, () => execFileSync('umount', ['-l', directory], { stdio: 'ignore' }))
  return directory
}

/** Answers a new document's upgrade, timing it. */
async function timedUpgrade(port: number, path: string) {
  const startedAtMs = performance.now()
  const response = await requestUpgrade(port, path)
  return { ...response, ms: performance.now() - startedAtMs }
}

test('on a full disk, writers get 1011, a new document gets 503 within a second, and all recovers once space returns', async (t) => {
  const disk = await mountSmallDisk(t, 64)
  if (!disk) {
    t.skip('this machine does not let the test mount a tmpfs; the injected failure below covers it')
    return
  }
  // Space to give back later: the disk fills with it in place. LevelDB needs room to open again
  // (it writes its log out as a table), so most of the disk is given back.
  const filler = join(disk, 'filler')
  writeFileSync(filler, Buffer.alloc(54 * MiB))
  const server = await spawnServer(t, join(disk, 'data'), [
    '--max-frame-bytes',
    '64MiB',
    '--max-document-bytes',
    '64MiB',
  ])
  const writer = connectProvider(t, server.url, 'filling')
  await waitSynced(writer)
  const closeCodes: number[] = []
  writer.on('connection-close', (event: { code: number } | null) => {
    if (event) closeCodes.push(event.code)
  })
  const text = writer.doc.getText('text')
  const chunk = 'x'.repeat(MiB / 2)
  for (let i = 0; i < 40 && !closeCodes.includes(1011); i++) {
    text.insert(text.length, chunk)
    await until(() => closeCodes.includes(1011) || writer.ws?.bufferedAmount === 0, {
      what: 'the chunk to be sent',
    })
    await new Promise((resolve) => setImmediate(resolve))
  }
  await until(() => closeCodes.includes(1011), { what: 'the writer to be closed with 1011' })

  const refused = await timedUpgrade(server.port, '/a-new-document')
  assert.equal(refused.status, 503)
  assert.equal(refused.body.error, 'COLLAB_STORE_UNAVAILABLE')
  assert.ok(refused.ms < 1_000, `answered in ${refused.ms} ms`)
  const health = await getJson(server.port, '/healthz')
  assert.equal(health.status, 200, 'the server lives')
  assert.equal(health.body.status, 'store-failing')
  assert.equal((health.body.store as { status: string }).status, 'failing')

  rmSync(filler)
  await until(async () => (await getJson(server.port, '/healthz')).body.status === 'ok', {
    timeoutMs: 15_000,
    what: '/healthz to say the store works again',
  })
  // The writer reconnects by itself and sends what was not stored.
  const reader = connectProvider(t, server.url, 'filling')
  await until(() => reader.doc.getText('text').length === text.length, {
    timeoutMs: 20_000,
    what: 'a fresh client to see everything the writer wrote',
  })
  const fresh = connectProvider(t, server.url, 'a-new-document')
  await waitSynced(fresh)

  // Everything acknowledged is still there after a restart.
  writer.shouldConnect = false
  writer.disconnect()
  reader.destroy()
  server.child.kill('SIGTERM')
  assert.equal(await server.exited, 0, server.output().slice(-2_000))
  const restarted = await spawnServer(t, join(disk, 'data'))
  const afterRestart = connectProvider(t, restarted.url, 'filling')
  await waitSynced(afterRestart, 20_000)
  assert.equal(afterRestart.doc.getText('text').length, text.length)
})

test('while an injected store failure lasts, a new document gets 503 at once; once it ends, it opens', async (t) => {
  let isFailing = false
  const failure = (): Promise<never> => Promise.reject(new Error('injected: disk full'))
  const server = await startServer(t, {
    wrapStore: (store: DocStore) =>
      wrapStore(store, {
        append: (room, update) => (isFailing ? failure() : store.append(room, update)),
        load: (room) => (isFailing ? failure() : store.load(room)),
        writeRecord: (name, value) => (isFailing ? failure() : store.writeRecord(name, value)),
      }),
  })
  const writer = connectProvider(t, server.url, 'open')
  await waitSynced(writer)
  const closeCodes: number[] = []
  writer.on('connection-close', (event: { code: number } | null) => {
    if (event) closeCodes.push(event.code)
  })
  isFailing = true
  writer.doc.getText('text').insert(0, 'not stored yet')
  await until(() => closeCodes.includes(1011), { what: 'the writer to be closed with 1011' })

  const refused = await timedUpgrade(server.port, '/another')
  assert.equal(refused.status, 503)
  assert.equal(refused.body.reason, 'the server cannot store documents right now; try again later')
  assert.ok(refused.ms < 1_000, `answered in ${refused.ms} ms`)
  const health = await getJson(server.port, '/healthz')
  assert.equal(health.body.status, 'store-failing')
  assert.deepEqual(
    { ...(health.body.store as Record<string, unknown>), since: 'when' },
    { status: 'failing', since: 'when', operation: 'append', error: 'injected: disk full' },
  )
  const notReady = await getJson(server.port, '/readyz')
  assert.equal(notReady.status, 503, 'a load balancer sends new clients elsewhere')
  assert.deepEqual(notReady.body, { ready: false, status: 'store-failing' })

  isFailing = false
  await until(async () => (await getJson(server.port, '/healthz')).body.status === 'ok', {
    what: 'the probe to find the store working',
  })
  assert.deepEqual(await getJson(server.port, '/readyz'), {
    status: 200,
    body: { ready: true, status: 'ok' },
  })
  const other = connectProvider(t, server.url, 'another')
  await waitSynced(other)
  const reader = connectProvider(t, server.url, 'open', new Y.Doc())
  await until(() => reader.doc.getText('text').toString() === 'not stored yet', {
    what: 'the writer to reconnect and store its edit',
  })
})
