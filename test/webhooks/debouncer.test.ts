import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { Debouncer } from '../../webhooks/debouncer.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { until } from '../helpers/until.js'

/** A debouncer that collects numbers per key and records what fired, in order. */
function collecting(t: TestContext, debounceMs: number, maxWaitMs: number) {
  const fired: Array<[string, number[]]> = []
  const debouncer = new Debouncer<string, number[]>({
    debounceMs,
    maxWaitMs,
    fire: (key, values) => fired.push([key, values]),
  })
  deferCleanup(t, () => debouncer.clear())
  const add = (key: string, value: number) =>
    debouncer.add(key, (pending = []) => [...pending, value])
  return { debouncer, fired, add }
}

test('fires a burst of changes once, with everything merged, per key', async (t) => {
  const { fired, add } = collecting(t, 30, 1_000)
  for (let value = 0; value < 5; value++) add('a', value)
  add('b', 9)

  await until(() => fired.length === 2, { what: 'both keys to fire' })
  assert.deepEqual(fired, [
    ['a', [0, 1, 2, 3, 4]],
    ['b', [9]],
  ])
})

test('fires a key changed without pause once its maximum wait is over', async (t) => {
  const { fired, add } = collecting(t, 150, 300)
  const changes = setInterval(() => add('a', 1), 10)
  deferCleanup(t, () => clearInterval(changes))

  // The key is never quiet for 150 ms: only the maximum wait can fire it.
  await until(() => fired.length > 0, { what: 'the maximum wait to fire the key' })
  assert.ok(fired[0]![1].length > 1, 'the changes until the deadline were merged')
})

test('take removes what is pending, so it never fires', async (t) => {
  const { debouncer, fired, add } = collecting(t, 30, 1_000)
  add('taken', 1)
  add('taken', 2)
  add('kept', 3)

  assert.deepEqual(debouncer.take('taken'), [1, 2])
  assert.equal(debouncer.take('taken'), undefined)
  // The taken key was due first: once the kept one fired, the taken one would have too.
  await until(() => fired.length > 0, { what: 'the kept key to fire' })
  assert.deepEqual(fired, [['kept', [3]]])
})
