import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { readAwarenessUpdate, writeAwarenessUpdate } from '../../protocol/awareness-codec.js'
import { CloseCode } from '../../protocol/close-codes.js'
import type { ConnectionOrigin } from '../../server/events.js'
import { defaultLimits } from '../../server/options.js'
import { type PresenceLimits, RoomPresence } from '../../server/rooms/room-presence.js'

interface Member {
  origin: ConnectionOrigin
}

let lastConnectionId = 0

/** A member on a new connection of `userId` ('anonymous': authentication is off) from `address`. */
function connectionOf(userId: string, clientAddress = '192.0.2.1'): Member {
  return {
    origin: {
      kind: 'connection',
      connectionId: ++lastConnectionId,
      principal: { userId, access: () => 'write' },
      access: 'write',
      clientAddress,
    },
  }
}

const ada = connectionOf('ada')
const bob = connectionOf('bob')

const update = (...entries: Array<[clientId: number, clock: number, state: unknown]>) =>
  writeAwarenessUpdate(
    entries.map(([clientId, clock, state]) => ({
      clientId,
      clock,
      stateJson: JSON.stringify(state),
    })),
  )

/** The receipt of an update that changed and refused nothing. */
const nothing = { present: [], removed: [], takenOver: [], refusal: null }

/** A presence whose relayed updates are collected, decoded, in `relayed`. */
function newPresence(limits: Partial<PresenceLimits> = {}) {
  const relayed: Array<ReturnType<typeof readAwarenessUpdate>> = []
  const presence = new RoomPresence<Member>({ ...defaultLimits, ...limits }, (awareness) =>
    relayed.push(readAwarenessUpdate(awareness)),
  )
  const stateOf = (clientId: number): unknown => {
    const all = presence.encodeAll()
    const found = all && readAwarenessUpdate(all).find((entry) => entry.clientId === clientId)
    return found ? JSON.parse(found.stateJson) : undefined
  }
  return { presence, relayed, stateOf }
}

test('the member that announces a client id first may change and remove its state', async () => {
  const { presence, relayed, stateOf } = newPresence()
  assert.deepEqual(presence.receive(ada, update([10, 1, { name: 'Ada' }])), {
    present: [10],
    removed: [],
    takenOver: [],
    refusal: null,
  })
  assert.deepEqual(presence.receive(ada, update([10, 2, { name: 'Ada L.' }])).present, [10])
  assert.deepEqual(stateOf(10), { name: 'Ada L.' })
  assert.deepEqual(presence.receive(ada, update([10, 3, null])).removed, [10])
  assert.equal(presence.stateCount, 0)
  await nextTurn()
  assert.deepEqual(relayed, [[{ clientId: 10, clock: 3, stateJson: 'null' }]])
})

test("another member's newer entries for an owned client id are refused: no overwrite, no removal", async () => {
  const { presence, relayed, stateOf } = newPresence()
  presence.receive(ada, update([10, 1, { name: 'Ada' }]))
  await nextTurn()
  relayed.length = 0

  const overwrite = presence.receive(bob, update([10, 2, { name: 'Mallory' }]))
  assert.deepEqual(overwrite.present, [])
  assert.deepEqual(overwrite.refusal?.counts, { ownedByAnotherConnection: 1 })
  assert.deepEqual(overwrite.refusal.clientIds, [10])
  assert.equal(overwrite.refusal.isStrike, true)
  const removal = presence.receive(bob, update([10, 5, null]))
  assert.deepEqual(removal.removed, [])
  assert.deepEqual(removal.refusal?.counts, { ownedByAnotherConnection: 1 })
  assert.deepEqual(stateOf(10), { name: 'Ada' })
  await nextTurn()
  assert.deepEqual(relayed, [], 'nothing refused is relayed')
  assert.deepEqual(
    presence.receive(ada, update([10, 2, { name: 'Ada' }])).present,
    [10],
    'the owner is not held back by the refused clocks',
  )
})

test('echoes of owned states, and removals at their clock, change nothing and are not refused', () => {
  const { presence, stateOf } = newPresence()
  presence.receive(ada, update([10, 4, { name: 'Ada' }]))
  // A stock client sends back what it was sent, and drops a state it has not heard of in 30 s
  // with a removal at that state's clock.
  for (const echo of [
    update([10, 4, { name: 'Ada' }]),
    update([10, 3, {}]),
    update([10, 4, null]),
  ]) {
    assert.deepEqual(presence.receive(bob, echo), nothing)
  }
  assert.deepEqual(stateOf(10), { name: 'Ada' })
})

test('the legitimate rest of an update applies, and is relayed without the refused entries', async () => {
  const { presence, relayed } = newPresence()
  presence.receive(ada, update([10, 1, { name: 'Ada' }]))
  await nextTurn()
  relayed.length = 0

  const receipt = presence.receive(
    bob,
    update([10, 2, { name: 'Mallory' }], [20, 1, { name: 'Bob' }]),
  )
  assert.deepEqual(receipt.present, [20])
  assert.deepEqual(receipt.refusal?.counts, { ownedByAnotherConnection: 1 })
  await nextTurn()
  assert.deepEqual(relayed, [[{ clientId: 20, clock: 1, stateJson: '{"name":"Bob"}' }]])
})

test('a member owns at most maxAwarenessClientsPerConnection client ids, removed ones included', () => {
  const { presence, stateOf } = newPresence({ maxAwarenessClientsPerConnection: 2 })
  presence.receive(ada, update([1, 1, {}], [2, 1, {}]))
  const third = presence.receive(ada, update([3, 1, {}]))
  assert.deepEqual(third.present, [])
  assert.deepEqual(third.refusal?.counts, { maxAwarenessClientsPerConnection: 1 })
  assert.equal(third.refusal.isStrike, true)
  presence.receive(ada, update([2, 2, null]))
  assert.deepEqual(
    presence.receive(ada, update([3, 1, {}])).refusal?.counts,
    { maxAwarenessClientsPerConnection: 1 },
    'removing a state does not give up its id',
  )
  assert.deepEqual(presence.receive(ada, update([2, 3, { back: true }])).present, [2])
  assert.deepEqual(presence.receive(bob, update([3, 1, {}])).present, [3], 'others have room')
  assert.deepEqual(stateOf(2), { back: true })
})

test('a client id is free again once its owner has left, and a stale echo of it claims nothing', () => {
  const { presence } = newPresence()
  presence.receive(ada, update([10, 1, { name: 'Ada' }]))
  assert.deepEqual(presence.removeMember(ada), [10])
  // The removal went out at clock 2; a peer that had not seen it yet echoes clock 1, then the
  // removal itself.
  for (const echo of [update([10, 1, { name: 'Ada' }]), update([10, 2, null])]) {
    assert.deepEqual(presence.receive(bob, echo), nothing)
  }
  const reconnected = connectionOf('ada')
  assert.deepEqual(presence.receive(reconnected, update([10, 3, { name: 'Ada' }])).present, [10])
  assert.deepEqual(presence.receive(bob, update([10, 4, {}])).refusal?.counts, {
    ownedByAnotherConnection: 1,
  })
})

test('states past the room limits are refused, without a strike against the sender', () => {
  const { presence } = newPresence({ maxAwarenessStatesPerRoom: 2, maxRoomAwarenessBytes: 30 })
  presence.receive(ada, update([1, 1, {}]))
  presence.receive(bob, update([2, 1, {}]))
  const full = presence.receive(bob, update([3, 1, {}]))
  assert.deepEqual(full.refusal?.counts, { maxAwarenessStatesPerRoom: 1 })
  assert.equal(full.refusal.isStrike, false)
  assert.equal(full.refusal.strikes, 0)
  assert.equal(full.refusal.closingError(), null)
  const large = presence.receive(ada, update([1, 2, { pad: 'x'.repeat(20) }]))
  assert.deepEqual(large.refusal?.counts, { maxRoomAwarenessBytes: 1 })
  assert.equal(presence.stateCount, 2)
})

test("a member's third update refused by its own fault carries the error that closes it with 1008", () => {
  const { presence } = newPresence({ maxAwarenessStatesPerRoom: 1 })
  presence.receive(ada, update([10, 1, {}]))
  const strikes = []
  for (let clock = 2; clock <= 4; clock++) {
    presence.receive(bob, update([20, 1, {}]))
    strikes.push(presence.receive(bob, update([10, clock, {}])).refusal)
  }
  assert.deepEqual(
    strikes.map((refusal) => refusal?.strikes),
    [1, 2, 3],
    'a full room (the refused id 20) does not count',
  )
  assert.equal(strikes[1]?.closingError(), null)
  const error = strikes[2]?.closingError()
  assert.equal(error?.closeCode, CloseCode.policyViolation)
  assert.equal(error.code, 'COLLAB_AWARENESS_REFUSED')
  assert.equal(
    error.message,
    'closed after 3 refused awareness updates: client ids of another connection',
  )
})

test('a new connection of the same user takes its client id over, without a strike', async () => {
  const { presence, relayed, stateOf } = newPresence()
  const before = connectionOf('ada')
  presence.receive(before, update([10, 4, { name: 'Ada' }], [11, 1, { name: 'Ada, tab 2' }]))
  await nextTurn()
  relayed.length = 0

  const reconnected = connectionOf('ada', '198.51.100.7')
  assert.deepEqual(
    presence.receive(reconnected, update([10, 4, { name: 'Ada' }])),
    nothing,
    'its echo at the clock the room holds takes nothing over',
  )
  assert.deepEqual(presence.receive(reconnected, update([10, 5, { name: 'Ada again' }])), {
    present: [10],
    removed: [],
    takenOver: [10],
    refusal: null,
  })
  assert.deepEqual(stateOf(10), { name: 'Ada again' })
  await nextTurn()
  assert.deepEqual(relayed, [[{ clientId: 10, clock: 5, stateJson: '{"name":"Ada again"}' }]])
  assert.deepEqual(presence.receive(reconnected, update([10, 6, { cursor: 1 }])).takenOver, [])
  assert.deepEqual(
    presence.removeMember(before),
    [11],
    'the old connection keeps its other ids, and its close leaves the taken one alone',
  )
  assert.deepEqual(stateOf(10), { cursor: 1 })
  assert.deepEqual(presence.receive(bob, update([10, 7, {}])).refusal?.counts, {
    ownedByAnotherConnection: 1,
  })
})

test('another user cannot take a client id over, however often it tries', () => {
  const { presence, stateOf } = newPresence()
  presence.receive(ada, update([10, 1, { name: 'Ada' }]))
  const refusals = [2, 3, 4].map(
    (clock) => presence.receive(bob, update([10, clock, { name: 'Mallory' }])).refusal,
  )
  assert.deepEqual(
    refusals.map((refusal) => [refusal?.counts, refusal?.strikes]),
    [1, 2, 3].map((strikes) => [{ ownedByAnotherConnection: 1 }, strikes]),
  )
  assert.deepEqual(stateOf(10), { name: 'Ada' })
})

test('without authentication, only a connection from the same address takes a client id over', () => {
  const { presence, stateOf } = newPresence()
  presence.receive(connectionOf('anonymous', '192.0.2.1'), update([10, 1, { name: 'Ada' }]))
  const elsewhere = presence.receive(
    connectionOf('anonymous', '203.0.113.9'),
    update([10, 2, { name: 'Mallory' }]),
  )
  assert.deepEqual(elsewhere.takenOver, [])
  assert.deepEqual(elsewhere.refusal?.counts, { ownedByAnotherConnection: 1 })
  assert.equal(elsewhere.refusal.isStrike, true)
  assert.deepEqual(stateOf(10), { name: 'Ada' })

  const reconnected = presence.receive(
    connectionOf('anonymous', '192.0.2.1'),
    update([10, 3, { name: 'Ada again' }]),
  )
  assert.deepEqual(reconnected.takenOver, [10])
  assert.equal(reconnected.refusal, null)
  assert.deepEqual(stateOf(10), { name: 'Ada again' })
})

test('a takeover stays within the per-connection bound', () => {
  const { presence, stateOf } = newPresence({ maxAwarenessClientsPerConnection: 1 })
  presence.receive(ada, update([10, 1, { name: 'Ada' }]))
  const full = connectionOf('ada')
  presence.receive(full, update([20, 1, {}]))
  const receipt = presence.receive(full, update([10, 2, { name: 'Ada again' }]))
  assert.deepEqual(receipt.takenOver, [])
  assert.deepEqual(receipt.refusal?.counts, { maxAwarenessClientsPerConnection: 1 })
  assert.deepEqual(stateOf(10), { name: 'Ada' })
})
