import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createMemoryStore } from '../../persistence/memory/store.js'
import type { StoredDoc } from '../../persistence/store.js'
import { createCollabServer } from '../../server/index.js'
import { createLogger } from '../../server/logger.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { getJson, requestUpgrade } from '../helpers/http.js'
import { spawnServer } from '../helpers/start-server.js'
import { wrapStore } from '../helpers/store-wrapper.js'
import { textOf } from '../helpers/text-docs.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

/** The text of a stored document, built from its compacted state and its log. */
const storedText = (stored: StoredDoc): string =>
  textOf(...(stored.compacted ? [stored.compacted.update] : []), ...stored.log)

test('a drain answers /readyz 503 at once, takes upgrades until its delay passed, writes every document, then closes clients with 1012', async (t) => {
  const store = createMemoryStore()
  const server = createCollabServer({
    store,
    logger: createLogger('silent'),
    // Long enough for the checks made during the delay on a slow machine.
    limits: { drainDelayMs: 4_000, unloadGraceMs: 50 },
  })
  deferCleanup(t, () => server.close())
  const { port } = await server.listen(0, '127.0.0.1')
  const url = `ws://127.0.0.1:${port}`
  assert.deepEqual(await getJson(port, '/readyz'), {
    status: 200,
    body: { ready: true, status: 'ok' },
  })

  const writer = connectProvider(t, url, 'drained')
  await waitSynced(writer)
  writer.doc.getText('text').insert(0, 'typed before the drain')
  let closeCode: number | undefined
  let storedAtClose: Promise<StoredDoc> | undefined
  writer.on('connection-close', (event: { code: number } | null) => {
    closeCode = event?.code
    storedAtClose = store.load('drained')
  })
  writer.shouldConnect = false
  await until(async () => storedText(await store.load('drained')) === 'typed before the drain', {
    what: 'the edit to be stored',
  })

  const closed = server.close()
  assert.deepEqual(await getJson(port, '/readyz'), {
    status: 503,
    body: { ready: false, status: 'draining' },
  })
  assert.equal((await getJson(port, '/healthz')).body.status, 'draining')
  const late = connectProvider(t, url, 'drained')
  await waitSynced(late)
  late.shouldConnect = false
  assert.equal(closeCode, undefined, 'clients stay connected during the drain delay')

  await until(() => closeCode !== undefined, { what: 'the writer to be closed' })
  assert.equal(closeCode, 1012)
  const stored = await storedAtClose!
  assert.equal(stored.log.length, 0, 'the document was compacted before its clients were closed')
  assert.equal(storedText(stored), 'typed before the drain')
  await closed
})

test('upgrades after the drain delay get 503 COLLAB_DRAINING while clients are being closed', async (t) => {
  const store = createMemoryStore()
  let releaseCompaction: (() => void) | undefined
  const compactionHeld = new Promise<void>((resolve) => (releaseCompaction = resolve))
  const server = createCollabServer({
    store: wrapStore(store, {
      compact: (room, state, throughSeq) =>
        compactionHeld.then(() => store.compact(room, state, throughSeq)),
    }),
    logger: createLogger('silent'),
    limits: { unloadGraceMs: 60_000 },
  })
  deferCleanup(t, () => server.close())
  const { port } = await server.listen(0, '127.0.0.1')
  const writer = connectProvider(t, `ws://127.0.0.1:${port}`, 'held')
  await waitSynced(writer)
  writer.doc.getText('text').insert(0, 'x')
  writer.shouldConnect = false

  const closed = server.close()
  const refused = await requestUpgrade(port, '/another')
  assert.equal(refused.status, 503)
  assert.equal(refused.body.error, 'COLLAB_DRAINING')
  releaseCompaction!()
  await closed
})

test('under SIGTERM, twice as a process group and npm may deliver it, the server drains fully and exits 0', async (t) => {
  const dataDirectory = await makeTempDir(t)
  const server = await spawnServer(t, dataDirectory, ['--drain-delay-ms', '1000'])
  const client = connectProvider(t, server.url, 'signals')
  await waitSynced(client)
  client.doc.getText('text').insert(0, 'kept')
  const closeCodes: number[] = []
  client.on('connection-close', (event: { code: number } | null) => {
    if (event) closeCodes.push(event.code)
  })
  client.shouldConnect = false

  server.child.kill('SIGTERM')
  server.child.kill('SIGTERM')
  await until(async () => (await getJson(server.port, '/readyz')).status === 503, {
    what: '/readyz to turn 503',
  })
  assert.equal(await server.exited, 0, server.output().slice(-2_000))
  assert.deepEqual(closeCodes, [1012])
  assert.equal(server.output().match(/shutdown complete/g)?.length, 1)
})

test('under npm start, a SIGTERM to the whole process group drains the server to its end', async (t) => {
  const child = spawn(
    'npm',
    ['start', '--', '--port', '0', '--host', '127.0.0.1', '--data', await makeTempDir(t)],
    {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { PATH: process.env.PATH, DRAIN_DELAY_MS: '300' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, as a terminal or a container runtime gives it.
      detached: true,
    },
  )
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  // npm ends by the signal itself; the server, its grandchild, writes to the same pipes until
  // it exits.
  const serverGone = once(child.stdout, 'close')
  deferCleanup(t, () => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // The whole group has exited.
    }
  })
  let port = 0
  await until(
    () => {
      port = Number(/"port":(\d+)/.exec(output)?.[1] ?? 0)
      return port !== 0
    },
    { timeoutMs: 60_000, what: 'npm start to listen' },
  )
  const client = connectProvider(t, `ws://127.0.0.1:${port}`, 'npm-start')
  await waitSynced(client)
  const closeCodes: number[] = []
  client.on('connection-close', (event: { code: number } | null) => {
    if (event) closeCodes.push(event.code)
  })
  client.shouldConnect = false

  process.kill(-child.pid!, 'SIGTERM')
  await serverGone
  assert.deepEqual(closeCodes, [1012])
  assert.equal(output.match(/shutdown complete/g)?.length, 1, output.slice(-2_000))
  assert.doesNotMatch(output, /exiting without waiting|deadline passed/)
})
