import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Y from 'yjs'
import { readAwarenessUpdate, writeAwarenessUpdate } from '../../protocol/awareness-codec.js'
import { CollabError } from '../../protocol/collab-error.js'
import type { Origin } from '../../server/events.js'
import { FakeMember } from '../helpers/fake-member.js'
import { openRoom } from '../helpers/room-fixture.js'
import { storedText } from '../helpers/store-contract.js'
import { PassThroughStore } from '../helpers/store-wrapper.js'
import { until } from '../helpers/until.js'
import { clientDoc, nextTurn, textOf, typeInto } from '../helpers/text-docs.js'

const apiOrigin: Origin = { kind: 'api', principal: null }
const emptyUpdate = Uint8Array.of(0, 0)
const emptyStateVector = Uint8Array.of(0)

const awarenessUpdate = (clientId: number, clock: number, state: unknown): Uint8Array =>
  writeAwarenessUpdate([{ clientId, clock, stateJson: JSON.stringify(state) }])

const isMalformedPayload = (error: unknown): boolean => {
  assert.ok(error instanceof CollabError, 'a CollabError')
  assert.equal(error.closeCode, 1007)
  assert.equal(error.code, 'COLLAB_BAD_PAYLOAD')
  return true
}

/**
 * Holds every append until the test releases or fails it (oldest first); a released append goes
 * to the wrapped store only then. Everything else passes through.
 */
class AppendGate extends PassThroughStore {
  readonly #held: Array<{ release: () => void; fail: (error: Error) => void }> = []
  /** Appends asked of the gate, held or not. */
  appends = 0

  get heldCount(): number {
    return this.#held.length
  }

  releaseNext(): void {
    this.#next().release()
  }

  failNext(error: Error): void {
    this.#next().fail(error)
  }

  override append(room: string, update: Uint8Array): Promise<number> {
    this.appends++
    return new Promise((resolve, reject) => {
      this.#held.push({
        release: () => {
          this.inner.append(room, update).then(resolve, reject)
        },
        fail: reject,
      })
    })
  }

  #next(): { release: () => void; fail: (error: Error) => void } {
    const held = this.#held.shift()
    assert.ok(held, 'an append is held')
    return held
  }
}

test('greets a joining member with sync step 1 of the document, then the awareness states', async (t) => {
  const { room } = await openRoom(t)
  const writer = clientDoc(t)
  await room.writeUpdate(typeInto(writer, 'hello'), apiOrigin)

  const first = new FakeMember(1)
  room.join(first)
  assert.deepEqual(
    first.delivered,
    [{ kind: 'syncStep1', stateVector: Y.encodeStateVector(writer) }],
    'no awareness message while nobody is present',
  )

  room.receiveAwareness(first, awarenessUpdate(10, 1, { user: 'ada' }))
  const joiner = new FakeMember(2)
  room.join(joiner)
  assert.deepEqual(
    joiner.delivered.map((message) => message.kind),
    ['syncStep1', 'awareness'],
  )
  assert.deepEqual(joiner.received('syncStep1'), [Y.encodeStateVector(writer)])
  assert.deepEqual(readAwarenessUpdate(joiner.received('awareness')[0]!), [
    { clientId: 10, clock: 1, stateJson: '{"user":"ada"}' },
  ])
})

test('answers sync step 1 with an empty state vector with the whole document', async (t) => {
  const { room } = await openRoom(t)
  const ada = clientDoc(t)
  const bob = clientDoc(t)
  await room.writeUpdate(typeInto(ada, 'from ada'), apiOrigin)
  await room.writeUpdate(typeInto(bob, 'from bob'), apiOrigin)
  const member = new FakeMember(1)
  room.join(member)
  member.clearDelivered()

  room.receiveSyncStep1(member, emptyStateVector)
  const [answer] = member.received('syncStep2')
  assert.ok(answer)
  assert.equal(member.delivered.length, 1)
  const reference = clientDoc(t)
  Y.applyUpdate(reference, Y.encodeStateAsUpdate(ada))
  Y.applyUpdate(reference, Y.encodeStateAsUpdate(bob))
  assert.equal(textOf(answer), reference.getText('text').toString())
  assert.deepEqual(
    Y.encodeStateVectorFromUpdate(answer),
    Y.encodeStateVector(reference),
    'it holds every client up to its last clock',
  )
})

test('answers sync step 1 with a partial state vector with exactly what the member lacks', async (t) => {
  const { room } = await openRoom(t)
  const ada = clientDoc(t)
  const bob = clientDoc(t)
  const seen = typeInto(ada, 'seen ')
  await room.writeUpdate(seen, apiOrigin)
  await room.writeUpdate(typeInto(ada, 'unseen'), apiOrigin)
  await room.writeUpdate(typeInto(bob, '!'), apiOrigin)
  const client = clientDoc(t)
  Y.applyUpdate(client, seen)
  const member = new FakeMember(1)
  room.join(member)
  member.clearDelivered()

  const clientStateVector = Y.encodeStateVector(client)
  room.receiveSyncStep1(member, clientStateVector)
  const [missing] = member.received('syncStep2')
  assert.ok(missing)
  const reference = clientDoc(t)
  Y.applyUpdate(reference, Y.encodeStateAsUpdate(ada))
  Y.applyUpdate(reference, Y.encodeStateAsUpdate(bob))
  assert.deepEqual(missing, Y.encodeStateAsUpdate(reference, clientStateVector))
  assert.deepEqual(
    Y.parseUpdateMeta(missing).from,
    new Map([
      [ada.clientID, 'seen '.length],
      [bob.clientID, 0],
    ]),
    "it starts where the member's state vector ends",
  )
  Y.applyUpdate(client, missing)
  assert.equal(client.getText('text').toString(), reference.getText('text').toString())
})

test('relays an update to the other members, not back to its sender, only once the store has made it durable', async (t) => {
  let gate: AppendGate | undefined
  const { room } = await openRoom(t, { wrapStore: (store) => (gate = new AppendGate(store)) })
  assert.ok(gate)
  const sender = new FakeMember(1)
  const other = new FakeMember(2)
  const third = new FakeMember(3)
  for (const member of [sender, other, third]) room.join(member)
  for (const member of [sender, other, third]) member.clearDelivered()
  const update = typeInto(clientDoc(t), 'durable first')

  void room.receiveUpdate(sender, update)
  assert.equal(gate.heldCount, 1, 'the update went to the store')
  const late = new FakeMember(4)
  room.join(late)
  await nextTurn()
  assert.deepEqual(other.delivered, [], 'nothing is relayed before the append resolved')
  assert.deepEqual(third.delivered, [])
  assert.deepEqual(
    late.received('syncStep1'),
    [emptyStateVector],
    'a joiner is not told of an update that is not yet durable',
  )

  gate.releaseNext()
  await until(() => other.received('update').length > 0, { what: 'the relay' })
  for (const member of [other, third, late]) assert.deepEqual(member.received('update'), [update])
  assert.deepEqual(sender.delivered, [], 'the sender is not sent its own update')
  assert.deepEqual(sender.failures, [])
})

test('neither stores nor relays an empty update', async (t) => {
  let gate: AppendGate | undefined
  const { room, store } = await openRoom(t, {
    wrapStore: (inner) => (gate = new AppendGate(inner)),
  })
  assert.ok(gate)
  const sender = new FakeMember(1)
  const other = new FakeMember(2)
  room.join(sender)
  room.join(other)
  other.clearDelivered()

  void room.receiveUpdate(sender, emptyUpdate)
  await room.writeUpdate(emptyUpdate, apiOrigin)
  assert.equal(gate.appends, 0, 'nothing was sent to the store')
  await nextTurn()
  assert.deepEqual(other.delivered, [])
  assert.deepEqual((await store.load('doc')).log, [])
})

test('refuses a malformed update with 1007 and stores nothing', async (t) => {
  let gate: AppendGate | undefined
  const { room, store } = await openRoom(t, {
    wrapStore: (inner) => (gate = new AppendGate(inner)),
  })
  assert.ok(gate)
  const sender = new FakeMember(1)
  const other = new FakeMember(2)
  room.join(sender)
  room.join(other)
  other.clearDelivered()
  const update = typeInto(clientDoc(t), 'cut short')
  const truncated = update.subarray(0, update.length - 3)

  assert.throws(() => room.receiveUpdate(sender, truncated), isMalformedPayload)
  await assert.rejects(room.writeUpdate(truncated, apiOrigin), isMalformedPayload)
  assert.equal(gate.appends, 0)
  await nextTurn()
  assert.deepEqual(other.delivered, [])
  assert.deepEqual((await store.load('doc')).log, [])
})

test("refuses a read-only member's update, stores and relays nothing, but relays its awareness", async (t) => {
  const { room, store } = await openRoom(t)
  const reader = new FakeMember(1, 'read')
  const writer = new FakeMember(2)
  room.join(reader)
  room.join(writer)
  writer.clearDelivered()

  void room.receiveUpdate(reader, typeInto(clientDoc(t), 'not allowed'))
  assert.deepEqual(reader.denials, ['read-only'])
  assert.deepEqual(reader.failures, [], 'a refused update does not end the connection')
  const stored = await store.load('doc')
  assert.deepEqual(stored.log, [])
  assert.equal(stored.compacted, null)

  const presence = awarenessUpdate(20, 1, { user: 'reader', cursor: 3 })
  room.receiveAwareness(reader, presence)
  await until(() => writer.received('awareness').length > 0, { what: 'the awareness relay' })
  assert.deepEqual(writer.delivered, [{ kind: 'awareness', update: presence }])
})

test('fails the sender with 1011 and relays nothing when the store cannot append', async (t) => {
  let gate: AppendGate | undefined
  const { room, store, events } = await openRoom(t, {
    wrapStore: (inner) => (gate = new AppendGate(inner)),
  })
  assert.ok(gate)
  const sender = new FakeMember(1)
  const other = new FakeMember(2)
  room.join(sender)
  room.join(other)
  other.clearDelivered()
  const diskFull = new Error('disk full')

  void room.receiveUpdate(sender, typeInto(clientDoc(t), 'lost'))
  gate.failNext(diskFull)
  await until(() => sender.failures.length > 0, { what: 'the sender to be failed' })
  const [failure] = sender.failures
  assert.equal(failure?.closeCode, 1011)
  assert.equal(failure.code, 'COLLAB_STORE_FAILED')
  assert.equal(failure.cause, diskFull)
  assert.deepEqual(other.delivered, [])
  assert.deepEqual(events.of('storeFailed'), [['doc', 'append', diskFull]])
  assert.deepEqual((await store.load('doc')).log, [])
  const joiner = new FakeMember(3)
  room.join(joiner)
  assert.deepEqual(joiner.received('syncStep1'), [emptyStateVector], 'the room did not keep it')
})

test('stores an update written without a member and relays it to every member', async (t) => {
  const { room, store } = await openRoom(t)
  const members = [new FakeMember(1), new FakeMember(2)]
  for (const member of members) room.join(member)
  for (const member of members) member.clearDelivered()
  const update = typeInto(clientDoc(t), 'from the api')

  await room.writeUpdate(update, apiOrigin)
  for (const member of members) assert.deepEqual(member.delivered, [{ kind: 'update', update }])
  assert.equal(storedText(await store.load('doc')), 'from the api')
})

test('coalesces the awareness updates of one event-loop turn and relays them to everyone, the sender included', async (t) => {
  const { room } = await openRoom(t)
  const ada = new FakeMember(1)
  const bob = new FakeMember(2)
  room.join(ada)
  room.join(bob)
  ada.clearDelivered()
  bob.clearDelivered()

  room.receiveAwareness(ada, awarenessUpdate(10, 1, { cursor: 1 }))
  room.receiveAwareness(ada, awarenessUpdate(10, 2, { cursor: 2 }))
  room.receiveAwareness(bob, awarenessUpdate(20, 1, { cursor: 9 }))
  assert.deepEqual(ada.delivered, [], 'nothing is relayed before the turn ends')
  await nextTurn()

  for (const member of [ada, bob]) {
    const relayed = member.received('awareness')
    assert.equal(relayed.length, 1, 'one awareness message for the whole turn')
    const entries = readAwarenessUpdate(relayed[0]!).sort((a, b) => a.clientId - b.clientId)
    assert.deepEqual(entries, [
      { clientId: 10, clock: 2, stateJson: '{"cursor":2}' },
      { clientId: 20, clock: 1, stateJson: '{"cursor":9}' },
    ])
  }
})

test("removes a leaving member's awareness states and tells the others at once", async (t) => {
  const { room } = await openRoom(t)
  const leaving = new FakeMember(1)
  const staying = new FakeMember(2)
  room.join(leaving)
  room.join(staying)
  room.receiveAwareness(leaving, awarenessUpdate(10, 1, { user: 'ada' }))
  await nextTurn()
  leaving.clearDelivered()
  staying.clearDelivered()

  room.leave(leaving)
  const [removal] = staying.received('awareness')
  assert.ok(removal, 'told before leave returned')
  assert.deepEqual(readAwarenessUpdate(removal), [{ clientId: 10, clock: 2, stateJson: 'null' }])
  assert.deepEqual(leaving.delivered, [])
  assert.equal(room.memberCount, 1)

  const joiner = new FakeMember(3)
  room.join(joiner)
  assert.deepEqual(
    joiner.delivered.map((message) => message.kind),
    ['syncStep1'],
    'no states are left to greet it with',
  )
  await room.writeUpdate(typeInto(clientDoc(t), 'after'), apiOrigin)
  assert.deepEqual(leaving.delivered, [], 'a member that left gets nothing more')
})
