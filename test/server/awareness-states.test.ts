import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type AwarenessEntry, readAwarenessUpdate } from '../../protocol/awareness-codec.js'
import { defaultLimits } from '../../server/options.js'
import { type AwarenessStatesLimits, AwarenessStates } from '../../server/rooms/awareness-states.js'

const state = (name: string): string => JSON.stringify({ user: { name } })
const entry = (clientId: number, clock: number, stateJson: string): AwarenessEntry => ({
  clientId,
  clock,
  stateJson,
})

function newStates(limits: Partial<AwarenessStatesLimits> = {}): AwarenessStates {
  return new AwarenessStates({ ...defaultLimits, ...limits })
}

/** Applies an entry by the clock rule, as the room does: returns what it did, if anything. */
function offer(states: AwarenessStates, offered: AwarenessEntry): 'present' | 'removed' | null {
  if (!states.isNewer(offered)) return null
  return states.apply(offered) ? 'present' : 'removed'
}

test('a newer clock replaces a state; an older or equal one is not newer', () => {
  const states = newStates()
  assert.equal(offer(states, entry(1, 1, state('a'))), 'present')
  assert.equal(offer(states, entry(1, 1, state('b'))), null)
  assert.equal(offer(states, entry(1, 3, state('c'))), 'present')
  assert.equal(offer(states, entry(1, 2, state('d'))), null)
  assert.equal(states.clockOf(1), 3)
  assert.deepEqual(readAwarenessUpdate(states.encodeAll()!), [entry(1, 3, state('c'))])
})

test('a removal wins at an equal clock, and a removed client stays removed for older updates', () => {
  const states = newStates()
  offer(states, entry(7, 4, state('a')))
  assert.equal(offer(states, entry(7, 4, 'null')), 'removed')
  assert.equal(states.size, 0)
  assert.equal(states.encodeAll(), null)
  assert.equal(offer(states, entry(7, 4, state('late'))), null)
  assert.equal(offer(states, entry(7, 4, 'null')), null, 'nothing left to remove at that clock')
})

test('removing clients bumps their clocks so every peer accepts the removal', () => {
  const states = newStates()
  offer(states, entry(1, 5, state('a')))
  offer(states, entry(2, 9, state('b')))
  const removal = states.remove([1, 2, 3])
  assert.deepEqual(removal?.clientIds, [1, 2])
  assert.deepEqual(readAwarenessUpdate(removal.update), [entry(1, 6, 'null'), entry(2, 10, 'null')])
  assert.equal(states.remove([1]), null, 'nothing left to remove')
})

test('a new state past maxAwarenessStatesPerRoom is refused; replacing or removing one is not', () => {
  const states = newStates({ maxAwarenessStatesPerRoom: 2 })
  offer(states, entry(1, 1, state('a')))
  offer(states, entry(2, 1, state('b')))
  assert.equal(states.exceededLimit(entry(3, 1, state('c'))), 'maxAwarenessStatesPerRoom')
  assert.equal(states.exceededLimit(entry(2, 2, state('b again'))), null)
  assert.equal(states.exceededLimit(entry(3, 1, 'null')), null)
  offer(states, entry(1, 2, 'null'))
  assert.equal(states.exceededLimit(entry(3, 1, state('c'))), null, 'a removal makes room')
})

test('a state that would take the room past maxRoomAwarenessBytes is refused; its JSON text counts', () => {
  const fifty = JSON.stringify({ pad: 'x'.repeat(40) })
  assert.equal(fifty.length, 50)
  const states = newStates({ maxRoomAwarenessBytes: 100 })
  offer(states, entry(1, 1, fifty))
  offer(states, entry(2, 1, fifty))
  assert.equal(states.exceededLimit(entry(3, 1, '{}')), 'maxRoomAwarenessBytes')
  assert.equal(states.exceededLimit(entry(2, 2, fifty)), null, 'a replacement counts once')
  assert.equal(
    states.exceededLimit(entry(2, 2, JSON.stringify({ pad: 'x'.repeat(41) }))),
    'maxRoomAwarenessBytes',
  )
  offer(states, entry(2, 2, '{}'))
  assert.equal(states.exceededLimit(entry(3, 1, JSON.stringify({ pad: 'x'.repeat(36) }))), null)
  states.remove([1])
  assert.equal(states.exceededLimit(entry(3, 1, fifty)), null, 'a removed state frees its bytes')
})
