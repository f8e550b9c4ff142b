import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import * as Y from 'yjs'
import type { StoredDoc } from '../../persistence/store.js'
import type { Origin } from '../../server/events.js'
import { createLogger } from '../../server/logger.js'
import { DocumentBrokenError, DocumentState } from '../../server/rooms/document-state.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { collectLogs } from '../helpers/collect-logs.js'
import { FakeMember } from '../helpers/fake-member.js'
import { deletion, nestedMaps, nestingClient } from '../helpers/hostile-updates.js'
import { clientDoc, typeInto } from '../helpers/text-docs.js'

const apiOrigin: Origin = { kind: 'api', principal: null }
const neverWritten: StoredDoc = { compacted: null, log: [], lastSeq: 0 }
// Bytes Y.applyUpdate cannot decode: a stored update damaged in a way the check could not see.
const damagedUpdate = Uint8Array.of(1, 2, 3)
const skippedMessage = 'skipped a stored update that could not be applied'

function openState(
  t: TestContext,
  stored: StoredDoc,
  logger = createLogger('silent'),
  failures: Array<[string, unknown]> = [],
): DocumentState {
  const state = new DocumentState(stored, logger, (failure, error) =>
    failures.push([failure, error]),
  )
  deferCleanup(t, () => state.destroy())
  return state
}

test('a document never written has an empty state', (t) => {
  const state = openState(t, neverWritten)
  assert.deepEqual(state.stateVector(), Uint8Array.of(0))
  assert.deepEqual(state.missing(Uint8Array.of(0)), Uint8Array.of(0, 0))
  assert.equal(state.doc().getText('text').toString(), '')
})

test('serves a stored compacted state byte for byte, without building the document to re-encode it', (t) => {
  const writer = clientDoc(t)
  // Merged updates keep one struct per update; a document re-encodes them as one struct.
  const compacted = Y.mergeUpdates([typeInto(writer, 'a'), typeInto(writer, 'b')])
  const reencoded = Y.encodeStateAsUpdate(writer)
  assert.notDeepEqual(compacted, reencoded, 'the test needs bytes that re-encoding would change')
  const stateVector = Y.encodeStateVector(writer)
  const state = openState(t, { compacted: { update: compacted, stateVector }, log: [], lastSeq: 2 })

  assert.deepEqual(state.fullState(), { update: compacted, stateVector })
  assert.deepEqual(state.missing(Uint8Array.of(0)), compacted)
  assert.deepEqual(state.stateVector(), stateVector)
  assert.equal(state.doc().getText('text').toString(), 'ab', 'the state is the document')
})

test('applies stored and added updates only once the document is needed', (t) => {
  const { logger, logs } = collectLogs()
  const writer = clientDoc(t)
  const compacted = typeInto(writer, 'a')
  const state = openState(
    t,
    {
      compacted: { update: compacted, stateVector: Y.encodeStateVector(writer) },
      log: [damagedUpdate],
      lastSeq: 2,
    },
    logger,
  )
  const added = typeInto(writer, 'b')
  state.add(added, apiOrigin)
  assert.equal(logs.length, 0, 'the damaged entry has not been applied yet')

  const reader = clientDoc(t)
  Y.applyUpdate(reader, compacted)
  const missing = state.missing(Y.encodeStateVector(reader))
  assert.deepEqual(
    logs.map((line) => line.msg),
    [skippedMessage],
    'a partial sync built the document, and the damaged entry was skipped',
  )
  Y.applyUpdate(reader, missing)
  assert.equal(reader.getText('text').toString(), 'ab', 'the rest was applied')
})

test('applies queued updates in transactions that carry their origins', (t) => {
  const state = openState(t, neverWritten)
  const doc = state.doc()
  const transactions: Array<{ origin: unknown; text: string }> = []
  doc.on('afterTransaction', (transaction: Y.Transaction) => {
    transactions.push({ origin: transaction.origin, text: doc.getText('text').toString() })
  })
  const ada = new FakeMember(1).origin
  const bob = new FakeMember(2).origin
  const writer = clientDoc(t)

  state.add(typeInto(writer, 'a'), ada)
  state.add(typeInto(writer, 'b'), ada)
  state.add(typeInto(writer, 'c'), bob)
  state.add(typeInto(writer, 'd'), apiOrigin)
  state.add(typeInto(writer, 'e'), ada)
  assert.equal(transactions.length, 0, 'queued, not applied')
  state.doc()

  assert.equal(transactions.length, 4, 'one transaction per run of the same origin')
  const expected: Array<[Origin, string]> = [
    [ada, 'ab'],
    [bob, 'abc'],
    [apiOrigin, 'abcd'],
    [ada, 'abcde'],
  ]
  for (const [i, [origin, text]] of expected.entries()) {
    assert.equal(transactions[i]?.origin, origin, `transaction ${i} carries its origin`)
    assert.equal(transactions[i].text, text)
  }
})

test('applies the queue by itself once a hundred updates wait', (t) => {
  const state = openState(t, neverWritten)
  const doc = state.doc()
  let transactionCount = 0
  doc.on('afterTransaction', () => transactionCount++)
  const writer = clientDoc(t)
  const updates = Array.from({ length: 100 }, (_, i) => typeInto(writer, String(i % 10)))

  for (const update of updates.slice(0, 99)) state.add(update, apiOrigin)
  assert.equal(transactionCount, 0, 'ninety-nine updates wait to be applied')
  state.add(updates[99]!, apiOrigin)
  assert.equal(transactionCount, 1, 'the hundredth applied the whole queue in one transaction')
  assert.equal(doc.getText('text').toString(), writer.getText('text').toString())
  assert.equal(doc.getText('text').length, 100)
})

test('a stored update Yjs overflows its stack on is left out when the document is built, and the rest is served', (t) => {
  const nested = nestedMaps(20_000)
  const poison = deletion(nestingClient, 20_001)
  const failures: Array<[string, unknown]> = []
  const { logger, logs } = collectLogs()
  const state = openState(
    t,
    {
      compacted: { update: nested, stateVector: Y.encodeStateVectorFromUpdate(nested) },
      log: [poison],
      lastSeq: 2,
    },
    logger,
    failures,
  )

  const doc = state.doc()
  assert.ok(doc.getMap('poison').get('inner') instanceof Y.Map, 'the nested maps are there')
  assert.equal(state.skippedStoredUpdates, 1)
  assert.deepEqual(
    failures.map(([failure, error]) => [failure, (error as Error).name]),
    [['skipped', 'RangeError']],
  )
  assert.ok(
    logs.some((line) => /served without them and will not be compacted/.test(String(line.msg))),
  )
  const reader = new Y.Doc()
  t.after(() => reader.destroy())
  Y.applyUpdate(reader, state.fullState().update)
  assert.ok(reader.getMap('poison').get('inner') instanceof Y.Map, 'a client loads what is served')
})

test('an update Yjs overflows its stack on once the document is built breaks the state for good', (t) => {
  const nested = nestedMaps(20_000)
  const failures: Array<[string, unknown]> = []
  const state = openState(
    t,
    {
      compacted: { update: nested, stateVector: Y.encodeStateVectorFromUpdate(nested) },
      log: [],
      lastSeq: 1,
    },
    createLogger('silent'),
    failures,
  )
  state.doc()
  state.add(deletion(nestingClient, 20_001), apiOrigin)

  assert.throws(() => state.doc(), DocumentBrokenError)
  assert.throws(() => state.missing(Uint8Array.of(1, 1, 1)), DocumentBrokenError)
  assert.ok(state.isBroken)
  assert.deepEqual(
    failures.map(([failure]) => failure),
    ['broken'],
    'told once',
  )
})
