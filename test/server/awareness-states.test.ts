import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readAwarenessUpdate } from '../../protocol/awareness-codec.js'
import { AwarenessStates } from '../../server/rooms/awareness-states.js'

const state = (name: string): string => JSON.stringify({ user: { name } })

test('a newer clock replaces a state; an older or equal one is ignored', () => {
  const awareness = new AwarenessStates()
  assert.deepEqual(awareness.apply([{ clientId: 1, clock: 1, stateJson: state('a') }]), {
    present: [1],
    removed: [],
  })
  assert.deepEqual(awareness.apply([{ clientId: 1, clock: 1, stateJson: state('b') }]), {
    present: [],
    removed: [],
  })
  assert.deepEqual(awareness.apply([{ clientId: 1, clock: 3, stateJson: state('c') }]), {
    present: [1],
    removed: [],
  })
  assert.deepEqual(awareness.apply([{ clientId: 1, clock: 2, stateJson: state('d') }]), {
    present: [],
    removed: [],
  })
  assert.deepEqual(readAwarenessUpdate(awareness.encodeAll()!), [
    { clientId: 1, clock: 3, stateJson: state('c') },
  ])
})

test('a removal wins at an equal clock, and a removed client stays removed for older updates', () => {
  const awareness = new AwarenessStates()
  awareness.apply([{ clientId: 7, clock: 4, stateJson: state('a') }])
  assert.deepEqual(awareness.apply([{ clientId: 7, clock: 4, stateJson: 'null' }]), {
    present: [],
    removed: [7],
  })
  assert.equal(awareness.size, 0)
  assert.equal(awareness.encodeAll(), null)
  assert.deepEqual(awareness.apply([{ clientId: 7, clock: 4, stateJson: state('late') }]), {
    present: [],
    removed: [],
  })
})

test('removing clients bumps their clocks so every peer accepts the removal', () => {
  const awareness = new AwarenessStates()
  awareness.apply([
    { clientId: 1, clock: 5, stateJson: state('a') },
    { clientId: 2, clock: 9, stateJson: state('b') },
  ])
  const removal = awareness.remove([1, 2, 3])
  assert.deepEqual(removal?.clientIds, [1, 2])
  assert.deepEqual(readAwarenessUpdate(removal.update), [
    { clientId: 1, clock: 6, stateJson: 'null' },
    { clientId: 2, clock: 10, stateJson: 'null' },
  ])
  assert.equal(awareness.remove([1]), null, 'nothing left to remove')
})
