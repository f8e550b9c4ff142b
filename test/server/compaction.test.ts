import assert from 'node:assert/strict'
import { test } from 'node:test'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { startServer } from '../helpers/start-server.js'
import { storedText } from '../helpers/store-contract.js'
import { until } from '../helpers/until.js'

test('compaction keeps the content identical and shrinks the stored log', async (t) => {
  const server = await startServer(t, {
    limits: { compactAfterUpdates: 100, unloadGraceMs: 60_000 },
  })
  const writer = connectProvider(t, server.url, 'compacted')
  const reader = connectProvider(t, server.url, 'compacted')
  await Promise.all([waitSynced(writer), waitSynced(reader)])
  const text = writer.doc.getText('text')
  let sentBytes = 0
  writer.doc.on('update', (update: Uint8Array) => (sentBytes += update.length))
  // Typing: one keystroke per update, with a backspace now and then.
  const typed = 'The quick brown fox jumps over the lazy dog. '.repeat(10)
  for (let i = 0; i < typed.length; i++) {
    text.insert(text.length, typed[i]!)
    if (i % 9 === 8) text.delete(text.length - 1, 1)
  }
  await until(() => reader.doc.getText('text').toString() === text.toString(), {
    what: 'the reader to catch up',
  })
  // Compactions are written after the updates they cover have been relayed.
  await until(async () => (await server.store.load('compacted')).log.length < 100, {
    what: 'the stored log to be compacted below its threshold of 100 entries',
  })
  assert.ok(server.events.count('compacted', 'compacted') > 0, 'the server reported compacting')

  // The stored form, loaded as a fresh server would, is exactly the live document.
  const stored = await server.store.load('compacted')
  assert.equal(storedText(stored), text.toString())
  const totalUpdateBytes =
    (stored.compacted?.update.length ?? 0) +
    stored.log.reduce((sum, update) => sum + update.length, 0)
  assert.ok(
    totalUpdateBytes < sentBytes / 2,
    `stored ${totalUpdateBytes} bytes for ${sentBytes} bytes of updates sent`,
  )
})

test('the last client leaving writes the document into a single snapshot', async (t) => {
  const server = await startServer(t, { limits: { unloadGraceMs: 60_000 } })
  const provider = connectProvider(t, server.url, 'left')
  await waitSynced(provider)
  for (let i = 0; i < 20; i++) provider.doc.getText('text').insert(0, `${i}`)
  await until(async () => (await server.store.load('left')).log.length === 20, {
    what: 'the edits to be stored',
  })
  const text = provider.doc.getText('text').toString()
  provider.destroy()
  await until(
    async () => {
      const stored = await server.store.load('left')
      return stored.compacted !== null && stored.log.length === 0
    },
    { what: 'the log to be compacted into a snapshot once the room is empty' },
  )
  assert.equal(server.server.stats().documents, 1, 'still loaded during the grace period')
  assert.equal(storedText(await server.store.load('left')), text)
})
