import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Y from 'yjs'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { spawnServer } from '../helpers/start-server.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

/** True when `holder` contains every update `doc` has (its state vector is at least as far). */
function containsAll(holder: Y.Doc, doc: Y.Doc): boolean {
  const held = Y.decodeStateVector(Y.encodeStateVector(holder))
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) {
    if ((held.get(client) ?? 0) < clock) return false
  }
  return true
}

test('a graceful restart closes clients with 1012 and loses nothing', async (t) => {
  const dataDirectory = await makeTempDir(t)
  const first = await spawnServer(t, dataDirectory)
  const a = connectProvider(t, first.url, 'restart')
  const b = connectProvider(t, first.url, 'restart')
  await Promise.all([waitSynced(a), waitSynced(b)])
  a.doc.getText('text').insert(0, 'written before the restart')
  b.doc.getMap('meta').set('title', 'Restarted')
  await until(
    () => a.doc.getMap('meta').get('title') === 'Restarted' && b.doc.getText('text').length > 0,
    {
      what: 'both edits to be relayed',
    },
  )
  const closeCodes: number[] = []
  a.on('connection-close', (event: { code: number } | null) => {
    if (event) closeCodes.push(event.code)
  })
  a.shouldConnect = false
  b.shouldConnect = false

  first.child.kill('SIGTERM')
  assert.equal(await first.exited, 0)
  assert.deepEqual(closeCodes, [1012])
  assert.match(first.output(), /shutdown complete/)

  const second = await spawnServer(t, dataDirectory)
  const fresh = connectProvider(t, second.url, 'restart')
  await waitSynced(fresh)
  assert.equal(fresh.doc.getText('text').toString(), 'written before the restart')
  assert.equal(fresh.doc.getMap('meta').get('title'), 'Restarted')
})

test('after SIGKILL in the middle of a stream of edits, every update any client received is restored', async (t) => {
  const dataDirectory = await makeTempDir(t)
  const first = await spawnServer(t, dataDirectory, ['--compact-after-updates', '50'])
  const writer = connectProvider(t, first.url, 'crash')
  const observer = connectProvider(t, first.url, 'crash')
  await Promise.all([waitSynced(writer), waitSynced(observer)])
  writer.shouldConnect = false
  observer.shouldConnect = false

  const text = writer.doc.getText('text')
  let sent = 0
  const stream = setInterval(() => {
    for (let i = 0; i < 5; i++) text.insert(text.length, `${sent++},`)
  }, 1)
  await until(() => observer.doc.getText('text').length > 3_000, {
    what: 'the stream to be well under way',
  })
  first.child.kill('SIGKILL')
  await first.exited
  clearInterval(stream)
  const received = observer.doc.getText('text').toString()

  const second = await spawnServer(t, dataDirectory)
  const fresh = connectProvider(t, second.url, 'crash')
  await waitSynced(fresh)
  assert.ok(
    containsAll(fresh.doc, observer.doc),
    'the restored document holds every update the observer had',
  )
  assert.ok(
    fresh.doc.getText('text').toString().startsWith(received),
    'the restored text extends what was seen',
  )
})
