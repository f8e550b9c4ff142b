import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import * as Y from 'yjs'
import type { EncodedState } from '../../persistence/store.js'
import { writeAwarenessUpdate } from '../../protocol/awareness-codec.js'
import type { Principal } from '../../server/auth.js'
import type { CollabObserver, Origin } from '../../server/events.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { FakeMember } from '../helpers/fake-member.js'
import { RecordedEvents } from '../helpers/recorded-events.js'
import { openRoom } from '../helpers/room-fixture.js'
import { PassThroughStore } from '../helpers/store-wrapper.js'
import { until } from '../helpers/until.js'

/** Appends `text` to the 'text' of a new document and returns the change as an update. */
function textUpdate(t: TestContext, text: string): Uint8Array {
  const doc = new Y.Doc()
  deferCleanup(t, () => doc.destroy())
  doc.getText('text').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}

/** Fails every append or compaction while its error is set; otherwise passes through. */
class FailingStore extends PassThroughStore {
  appendError: Error | null = null
  compactError: Error | null = null

  override append(room: string, update: Uint8Array): Promise<number> {
    return this.appendError ? Promise.reject(this.appendError) : this.inner.append(room, update)
  }

  override compact(room: string, state: EncodedState, throughSeq: number): Promise<void> {
    if (this.compactError) return Promise.reject(this.compactError)
    return this.inner.compact(room, state, throughSeq)
  }
}

test("reports a member's stored update with its connection origin, principal and access, once it was relayed", async (t) => {
  let relayedWhenReported = -1
  const other = new FakeMember(2)
  const { room, events } = await openRoom(t, {
    name: 'notes',
    observers: [{ updateStored: () => (relayedWhenReported = other.received('update').length) }],
  })
  const member = new FakeMember(7)
  room.join(member)
  room.join(other)
  const update = textUpdate(t, 'typed')

  void room.receiveUpdate(member, update)
  await until(() => events.of('updateStored').length > 0, { what: 'the update to be stored' })
  assert.equal(events.of('updateStored').length, 1)
  const [name, stored, origin, document, timing] = events.of('updateStored')[0]!
  assert.equal(name, 'notes')
  assert.equal(stored, update)
  assert.equal(origin, member.origin)
  assert.equal(document.name, 'notes')
  assert.equal(
    document.read((doc) => doc.getText('text').toString()),
    'typed',
    'the document reads as it is with the update',
  )
  assert.ok(timing.appendMs >= 0 && timing.relayMs >= timing.appendMs, JSON.stringify(timing))
  assert.equal(origin.kind, 'connection')
  assert.equal(origin.connectionId, 7)
  assert.equal(origin.principal.userId, 'user-7')
  assert.equal(origin.access, 'write')
  assert.equal(relayedWhenReported, 1, 'observers hear of an update after it was relayed')
})

test('reports an update written through the API with its api origin', async (t) => {
  const { room, events } = await openRoom(t, { name: 'notes' })
  const service: Principal = { userId: 'importer', access: () => 'write' }
  const apiOrigin: Origin = { kind: 'api', principal: service }
  const serverOrigin: Origin = { kind: 'api', principal: null }
  const imported = textUpdate(t, 'imported')
  const generated = textUpdate(t, 'generated')

  await room.writeUpdate(imported, apiOrigin)
  await room.writeUpdate(generated, serverOrigin)
  assert.deepEqual(
    events.of('updateStored').map(([name, update, origin]) => [name, update, origin]),
    [
      ['notes', imported, apiOrigin],
      ['notes', generated, serverOrigin],
    ],
  )
})

test('reports joins, awareness changes and leaves with the room and the member', async (t) => {
  const { room, events } = await openRoom(t, { name: 'notes' })
  const member = new FakeMember(3)

  room.join(member)
  room.receiveAwareness(
    member,
    writeAwarenessUpdate([{ clientId: 30, clock: 1, stateJson: '{"user":"ada"}' }]),
  )
  room.leave(member)
  assert.deepEqual(events.names(), ['joined', 'awarenessChanged', 'awarenessChanged', 'left'])
  assert.deepEqual(events.of('joined'), [['notes', member.origin]])
  assert.deepEqual(events.of('awarenessChanged'), [
    ['notes', { present: [30], removed: [], stateCount: 1 }, member.origin],
    ['notes', { present: [], removed: [30], stateCount: 0 }, member.origin],
  ])
  assert.deepEqual(events.of('left'), [['notes', member.origin]])
})

test('reports a compaction and the store failures of appends and compactions with the room', async (t) => {
  let store: FailingStore | undefined
  const { room, events } = await openRoom(t, {
    name: 'ledger',
    limits: { compactAfterUpdates: 1 },
    wrapStore: (inner) => (store = new FailingStore(inner)),
  })
  assert.ok(store)
  const first = textUpdate(t, 'first')

  await room.writeUpdate(first, { kind: 'api', principal: null })
  await until(() => events.of('compacted').length > 0, { what: 'the compaction' })
  const [compactedRoom, compaction] = events.of('compacted')[0] ?? []
  assert.equal(compactedRoom, 'ledger')
  assert.equal(compaction?.entries, 1)
  assert.equal(compaction.logBytes, first.length)
  assert.ok(compaction.stateBytes > 0)
  assert.ok(compaction.durationMs >= 0)

  const appendError = new Error('append failed')
  store.appendError = appendError
  await assert.rejects(room.writeUpdate(textUpdate(t, 'second'), { kind: 'api', principal: null }))
  store.appendError = null
  const compactError = new Error('compact failed')
  store.compactError = compactError
  await room.writeUpdate(textUpdate(t, 'third'), { kind: 'api', principal: null })
  await until(() => events.of('storeFailed').length > 1, { what: 'the compaction to fail' })
  assert.deepEqual(events.of('storeFailed'), [
    ['ledger', 'append', appendError],
    ['ledger', 'compact', compactError],
  ])
})

test('logs an observer that throws, and still relays the update and tells the other observers', async (t) => {
  const thrower: CollabObserver = {
    joined() {
      throw new Error('observer bug in joined')
    },
    updateStored() {
      throw new Error('observer bug in updateStored')
    },
  }
  const later = new RecordedEvents()
  const { room, logs } = await openRoom(t, { observers: [thrower, later.observer] })
  const sender = new FakeMember(1)
  const other = new FakeMember(2)
  room.join(sender)
  room.join(other)
  assert.equal(later.of('joined').length, 2, 'the next observer heard of both joins')
  assert.equal(other.received('syncStep1').length, 1)
  const update = textUpdate(t, 'still relayed')

  void room.receiveUpdate(sender, update)
  await until(() => later.of('updateStored').length > 0, { what: 'the later observer' })
  assert.deepEqual(other.received('update'), [update])
  assert.deepEqual(sender.failures, [], 'the failing observer did not fail the write')
  const failures = logs.filter((line) => line.msg === 'an observer failed; the server carries on')
  assert.deepEqual(
    failures.map((line) => [line.event, (line.err as { message?: string }).message]),
    [
      ['joined', 'observer bug in joined'],
      ['joined', 'observer bug in joined'],
      ['updateStored', 'observer bug in updateStored'],
    ],
  )
})
