import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { openLevelDbStore } from '../../persistence/leveldb/store.js'
import { createCollabServer } from '../../server/index.js'
import { createLogger } from '../../server/logger.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

test('an app mounts the collaboration server in its own http.Server beside its own routes', async (t) => {
  const store = await openLevelDbStore({ directory: await makeTempDir(t) })
  deferCleanup(t, () => store.close())
  const collab = createCollabServer({ store, logger: createLogger('silent') })
  deferCleanup(t, () => collab.close())

  const appServer = createServer((request, response) => {
    if (request.url === '/app/hello') {
      response.writeHead(200, { 'Content-Type': 'text/plain' })
      response.end('hello from the app')
      return
    }
    collab.handleRequest(request, response)
  })
  appServer.on('upgrade', collab.handleUpgrade)
  await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve))
  deferCleanup(t, () => new Promise<void>((resolve) => appServer.close(() => resolve())))
  const { port } = appServer.address() as AddressInfo

  const own = await fetch(`http://127.0.0.1:${port}/app/hello`)
  assert.equal(await own.text(), 'hello from the app')
  const health = await fetch(`http://127.0.0.1:${port}/healthz`)
  assert.equal(health.status, 200)
  assert.equal(((await health.json()) as { status: string }).status, 'ok')

  const a = connectProvider(t, `ws://127.0.0.1:${port}`, 'mounted')
  const b = connectProvider(t, `ws://127.0.0.1:${port}`, 'mounted')
  await Promise.all([waitSynced(a), waitSynced(b)])
  a.doc.getText('text').insert(0, 'through the app’s server')
  await until(() => b.doc.getText('text').toString() === 'through the app’s server', {
    what: 'the edit to cross the mounted server',
  })
  assert.equal(collab.stats().connections, 2)
  assert.equal(collab.httpServer.listening, false, 'the collab server’s own listener is unused')
})
