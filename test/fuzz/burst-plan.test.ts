import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type BurstTarget, planBurst } from '../../fuzz/burst.js'
import { buildTraceCorpus, loadTraceTransactions } from '../../fuzz/corpus.js'
import { fuzzLimits } from '../../fuzz/soak.js'
import { hasTrace } from '../helpers/trace.js'

const skip = hasTrace || process.env.CI === 'true' ? false : 'the editing trace is missing'
const hostileTarget: BurstTarget = { room: 'h', isWriterRoom: false, foreignAwarenessIds: [7] }
const writerTarget: BurstTarget = { room: 'w', isWriterRoom: true, foreignAwarenessIds: [1, 2] }

function plans(target: BurstTarget, seeds: number) {
  const context = { corpus: buildTraceCorpus(loadTraceTransactions(300)), limits: fuzzLimits }
  return Array.from({ length: seeds }, (_, seed) => planBurst(seed, seed, target, context, 96))
}

test('plans the same frames for the same seed, and other frames for another', { skip }, () => {
  const [first, again] = [plans(hostileTarget, 50), plans(hostileTarget, 50)]
  assert.deepEqual(first, again)
  assert.notDeepEqual(first[0], first[1])
})

test('only the last frame of a burst is one the server must close for', { skip }, () => {
  for (const burst of plans(hostileTarget, 300)) {
    const closing = burst.findIndex((frame) => frame.expectation.outcome === 'closed')
    assert.ok(closing === -1 || closing === burst.length - 1, `frame ${closing} of ${burst.length}`)
  }
})

test("sends writers' documents nothing that could change their content", { skip }, () => {
  const frames = plans(writerTarget, 300).flat()
  assert.ok(frames.length > 1_000)
  assert.ok(frames.every((frame) => !frame.expectation.canChangeContent))
  assert.ok(frames.some((frame) => frame.kind === "awareness, other connections' client ids"))
})
