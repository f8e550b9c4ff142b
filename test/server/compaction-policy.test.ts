import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CompactionPolicy } from '../../server/rooms/compaction-policy.js'

const KiB = 1024
const limits = {
  compactAfterUpdates: 100,
  compactAfterBytes: 64 * KiB,
  compactMinIntervalMs: 1_000,
}

test('a small document is compacted once its log reaches compactAfterBytes or compactAfterUpdates', () => {
  const policy = new CompactionPolicy(limits, 1 * KiB)
  assert.deepEqual(policy.advise(99, 64 * KiB - 1, 0), { kind: 'notYet' })
  assert.deepEqual(policy.advise(1, 64 * KiB, 0), { kind: 'now' })
  assert.deepEqual(policy.advise(100, 10, 0), { kind: 'now' })
})

test('a large document is compacted once its log holds twice its compacted state', () => {
  const policy = new CompactionPolicy(limits, 1024 * KiB)
  assert.deepEqual(policy.advise(1, 2047 * KiB, 0), { kind: 'notYet' })
  assert.deepEqual(policy.advise(1, 2048 * KiB, 0), { kind: 'now' })
  // The state is 16 times compactAfterBytes, so the entry threshold is 16 times higher too.
  assert.deepEqual(policy.advise(1_599, 1 * KiB, 0), { kind: 'notYet' })
  assert.deepEqual(policy.advise(1_600, 1 * KiB, 0), { kind: 'now' })
})

test('the thresholds follow the state each compaction wrote', () => {
  const policy = new CompactionPolicy(limits, 0)
  assert.deepEqual(policy.advise(1, 64 * KiB, 0), { kind: 'now' })
  policy.started(0)
  policy.compacted(512 * KiB)
  assert.deepEqual(policy.advise(1, 64 * KiB, 5_000), { kind: 'notYet' })
  assert.deepEqual(policy.advise(1, 1024 * KiB, 5_000), { kind: 'now' })
})

test('a due compaction waits out the minimum interval since the last one started', () => {
  const policy = new CompactionPolicy(limits, 0)
  policy.started(10_000)
  policy.compacted(1 * KiB)
  assert.deepEqual(policy.advise(1, 64 * KiB, 10_400), { kind: 'later', waitMs: 600 })
  assert.deepEqual(policy.advise(1, 64 * KiB, 11_000), { kind: 'now' })
})

test('compaction work stays proportional to what was written, however large the document grows', () => {
  for (const updateCount of [100, 1_000]) {
    const policy = new CompactionPolicy({ ...limits, compactMinIntervalMs: 0 }, 0)
    const updateBytes = 16 * KiB
    let logBytes = 0
    let logEntries = 0
    let documentBytes = 0
    let written = 0
    for (let i = 0; i < updateCount; i++) {
      logBytes += updateBytes
      logEntries++
      documentBytes += updateBytes
      if (policy.advise(logEntries, logBytes, i).kind !== 'now') continue
      policy.started(i)
      policy.compacted(documentBytes)
      written += documentBytes
      logBytes = 0
      logEntries = 0
    }
    written += documentBytes // the compaction when the document unloads
    assert.ok(
      written <= 2.5 * documentBytes,
      `${updateCount} updates: compactions wrote ${written} bytes for a ${documentBytes}-byte document`,
    )
  }
})
