// Updates meant to brick a document, against the real server command: deeply nested types and
// content that waits for ever. The server stays up, the document and every other one still load
// in a fresh client, also after a restart.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Y from 'yjs'
import { openLevelDbStore } from '../../persistence/leveldb/store.js'
import { writeSyncStep1, writeSyncUpdate } from '../../protocol/message.js'
import { connectProvider, openRawClient, waitSynced } from '../helpers/client.js'
import { deletion, nestedMaps, nestingClient, pendingText } from '../helpers/hostile-updates.js'
import { getJson } from '../helpers/http.js'
import { type ServerProcess, spawnServer } from '../helpers/start-server.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

const KiB = 1024

/** A fresh stock client syncs `room`; resolves with its document. */
async function loadInFreshClient(
  t: Parameters<typeof connectProvider>[0],
  server: ServerProcess,
  room: string,
) {
  const provider = connectProvider(t, server.url, room)
  await waitSynced(provider, 20_000)
  return provider.doc
}

test('an update nesting 20,000 maps is refused with 1007; the server and its documents carry on', async (t) => {
  const server = await spawnServer(t, await makeTempDir(t))
  const other = connectProvider(t, server.url, 'bystander')
  await waitSynced(other)
  other.doc.getText('text').insert(0, 'untouched')

  const attacker = await openRawClient(t, server.url, 'poison')
  attacker.socket.send(writeSyncUpdate(nestedMaps(20_000)))
  assert.deepEqual(await attacker.closed, {
    code: 1007,
    reason: 'the update nests shared types 20001 deep; the limit is 100: it was not stored',
  })

  const poisoned = await loadInFreshClient(t, server, 'poison')
  assert.equal(poisoned.getMap('poison').size, 0, 'nothing of it was stored')
  const bystander = await loadInFreshClient(t, server, 'bystander')
  await until(() => bystander.getText('text').toString() === 'untouched', {
    what: 'the other document to load',
  })
  assert.equal((await getJson(server.port, '/healthz')).status, 200)
})

test('a document stored before the limit, whose stored delete overflows Yjs, is served without it, also after a restart', async (t) => {
  const directory = await makeTempDir(t)
  const store = await openLevelDbStore({ directory })
  await store.load('poison')
  await store.append('poison', nestedMaps(20_000))
  await store.append('poison', deletion(nestingClient, 20_001))
  await store.close()

  for (const round of ['first start', 'after a restart']) {
    const server = await spawnServer(t, directory)
    const doc = await loadInFreshClient(t, server, 'poison')
    assert.ok(doc.getMap('poison').get('inner') instanceof Y.Map, `${round}: served what it can`)
    const bystander = await loadInFreshClient(t, server, 'bystander')
    assert.equal(bystander.getText('text').length, 0)
    await until(() => /served without them and will not be compacted/.test(server.output()), {
      what: `${round}: the log to say what was left out`,
    })
    server.child.kill('SIGTERM')
    assert.equal(await server.exited, 0, `${round}: a clean shutdown`)
  }
})

test('content waiting for what never comes is refused past 1 MiB on every connection, and a joiner gets at most that', async (t) => {
  const server = await spawnServer(t, await makeTempDir(t))
  const attacker = await openRawClient(t, server.url, 'pending')
  for (let sent = 0; sent < 300 && attacker.socket.readyState === attacker.socket.OPEN; sent++) {
    attacker.socket.send(writeSyncUpdate(pendingText(1_000 + 2 * sent, 60 * KiB)))
    await until(() => attacker.socket.bufferedAmount === 0, { what: 'the update to be sent' })
  }
  const closed = await attacker.closed
  assert.equal(closed.code, 1007)
  assert.match(closed.reason, /depends on content the document does not have/)

  const second = await openRawClient(t, server.url, 'pending')
  second.socket.send(writeSyncUpdate(pendingText(5_000, 60 * KiB)))
  assert.equal((await second.closed).code, 1007, 'refused on another connection too')

  const joiner = await openRawClient(t, server.url, 'pending')
  joiner.socket.send(writeSyncStep1(Y.encodeStateVector(new Y.Doc())))
  await until(() => joiner.frames.some((frame) => frame[0] === 0 && frame[1] === 1), {
    what: 'the sync step 2',
  })
  const answer = joiner.frames.find((frame) => frame[0] === 0 && frame[1] === 1)!
  assert.ok(answer.length < 1024 * KiB + 64 * KiB, `a joiner received ${answer.length} bytes`)
})
