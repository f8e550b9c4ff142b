// A room whose store fences its writes (another instance of a cluster loaded the document since):
// nothing is relayed, every client of the room is closed with 1012 to reconnect to the new writer,
// the room is dropped without writing again, and the store is not reported failing.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { WriterFencedError } from '../../persistence/store.js'
import { connectProvider, openRawClient, waitSynced } from '../helpers/client.js'
import { startServer } from '../helpers/start-server.js'
import { wrapStore } from '../helpers/store-wrapper.js'

test('a fenced write closes the room’s clients with 1012 and drops the room, the store stays healthy', async (t) => {
  const fenced = { room: '' }
  const compactions: string[] = []
  const server = await startServer(t, {
    wrapStore: (store) =>
      wrapStore(store, {
        append: (room, update) =>
          room === fenced.room
            ? Promise.reject(new WriterFencedError(room))
            : store.append(room, update),
        compact: (room, state, throughSeq) => {
          compactions.push(room)
          return store.compact(room, state, throughSeq)
        },
      }),
  })
  const writer = connectProvider(t, server.url, 'moved')
  const reader = await openRawClient(t, server.url, 'moved')
  const elsewhere = connectProvider(t, server.url, 'staying')
  await Promise.all([waitSynced(writer), waitSynced(elsewhere)])

  fenced.room = 'moved'
  writer.doc.getText('text').insert(0, 'never relayed')
  const closed = await reader.closed
  assert.equal(closed.code, 1012)
  assert.match(closed.reason, /moved to another instance/)
  await server.events.waitFor('unloaded', 'moved')
  assert.ok(!compactions.includes('moved'), 'a fenced room is not written again')
  assert.equal(server.server.stats().status, 'ok')

  elsewhere.doc.getText('text').insert(0, 'other rooms carry on')
  await server.events.waitFor('updateStored', 'staying')
})
