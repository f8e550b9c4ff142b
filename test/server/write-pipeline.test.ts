import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import * as Y from 'yjs'
import { MemoryStorage, createMemoryStore } from '../../persistence/memory/store.js'
import type { EncodedState } from '../../persistence/store.js'
import { Observers, type Origin } from '../../server/events.js'
import { createLogger } from '../../server/logger.js'
import { DocumentState } from '../../server/rooms/document-state.js'
import { Room } from '../../server/rooms/room.js'
import { WritePipeline } from '../../server/rooms/write-pipeline.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { FakeMember } from '../helpers/fake-member.js'
import { type OpenRoomOptions, type RoomFixture, openRoom } from '../helpers/room-fixture.js'
import { storedText } from '../helpers/store-contract.js'
import { PassThroughStore } from '../helpers/store-wrapper.js'
import { until } from '../helpers/until.js'
import { clientDoc, nextTurn, textOf, typeInto } from '../helpers/text-docs.js'

const apiOrigin: Origin = { kind: 'api', principal: null }
const noCompactionLimits = {
  compactAfterUpdates: 1_000_000,
  compactAfterBytes: 1 << 30,
  compactMinIntervalMs: 0,
}

const totalBytes = (updates: Uint8Array[]): number =>
  updates.reduce((sum, update) => sum + update.length, 0)

interface Held {
  release(): void
  fail(error: Error): void
}

function hold<T>(queue: Held[], write: () => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    queue.push({
      release: () => {
        write().then(resolve, reject)
      },
      fail: reject,
    })
  })
}

/**
 * A store wrapper the test steers: it can hold appends and compactions until released (oldest
 * first), fail the next compactions, and records what reached the store.
 */
class ControlledStore extends PassThroughStore {
  isHoldingAppends = false
  isHoldingCompactions = false
  readonly heldAppends: Held[] = []
  readonly heldCompactions: Held[] = []
  /** Errors that the next compactions reject with instead of writing. */
  readonly compactionFailures: Error[] = []
  /** Sequence numbers the store gave appends, in the order they resolved. */
  readonly seqs: number[] = []
  /** Every compaction the store wrote. */
  readonly compactions: Array<{ state: EncodedState; throughSeq: number }> = []

  override append(room: string, update: Uint8Array): Promise<number> {
    const write = (): Promise<number> =>
      this.inner.append(room, update).then((seq) => {
        this.seqs.push(seq)
        return seq
      })
    return this.isHoldingAppends ? hold(this.heldAppends, write) : write()
  }

  override compact(room: string, state: EncodedState, throughSeq: number): Promise<void> {
    const write = (): Promise<void> => {
      const failure = this.compactionFailures.shift()
      if (failure) return Promise.reject(failure)
      return this.inner.compact(room, state, throughSeq).then(() => {
        this.compactions.push({ state, throughSeq })
      })
    }
    return this.isHoldingCompactions ? hold(this.heldCompactions, write) : write()
  }

  releaseCompaction(): void {
    const held = this.heldCompactions.shift()
    assert.ok(held, 'a compaction is held')
    held.release()
  }
}

/** Opens a room on a ControlledStore over a memory store. */
async function openControlledRoom(
  t: TestContext,
  options: Omit<OpenRoomOptions, 'wrapStore'> = {},
): Promise<RoomFixture & { controlled: ControlledStore }> {
  let controlled: ControlledStore | undefined
  const fixture = await openRoom(t, {
    ...options,
    wrapStore: (store) => (controlled = new ControlledStore(store)),
  })
  assert.ok(controlled)
  return { ...fixture, controlled }
}

test('compacts the log once it holds compactAfterUpdates entries, into a state equal to the document', async (t) => {
  const { room, controlled, events } = await openControlledRoom(t, {
    limits: { compactAfterUpdates: 3 },
  })
  const writer = clientDoc(t)
  const updates = [typeInto(writer, 'a'), typeInto(writer, 'b'), typeInto(writer, 'c')]
  await room.writeUpdate(updates[0]!, apiOrigin)
  await room.writeUpdate(updates[1]!, apiOrigin)
  await nextTurn()
  assert.equal(controlled.compactions.length, 0, 'two entries stay in the log')

  await room.writeUpdate(updates[2]!, apiOrigin)
  await until(() => events.of('compacted').length > 0, { what: 'the compaction' })
  const [compaction] = controlled.compactions
  assert.equal(compaction?.throughSeq, 3)
  assert.equal(textOf(compaction.state.update), 'abc')
  assert.deepEqual(compaction.state.stateVector, Y.encodeStateVector(writer))
  const stored = await controlled.load('doc')
  assert.deepEqual(stored.log, [])
  assert.deepEqual(stored.compacted, compaction.state)
  assert.equal(events.of('compacted')[0]?.[1].entries, 3)
  assert.equal(events.of('compacted')[0]?.[1].logBytes, totalBytes(updates))
})

test('compacts the log once it holds compactAfterBytes bytes', async (t) => {
  const writer = clientDoc(t)
  const updates = [typeInto(writer, 'one '), typeInto(writer, 'two ')]
  const { room, controlled, events } = await openControlledRoom(t, {
    limits: { compactAfterUpdates: 1_000, compactAfterBytes: totalBytes(updates) },
  })
  await room.writeUpdate(updates[0]!, apiOrigin)
  await nextTurn()
  assert.equal(controlled.compactions.length, 0, 'below the byte limit')

  await room.writeUpdate(updates[1]!, apiOrigin)
  await until(() => events.of('compacted').length > 0, { what: 'the compaction' })
  assert.deepEqual(
    events.of('compacted').map(([, compaction]) => [compaction.entries, compaction.logBytes]),
    [[2, totalBytes(updates)]],
  )
  assert.equal(storedText(await controlled.load('doc')), 'one two ')
})

test('keeps updates made durable during a compaction in the log, and a reload gives the same content', async (t) => {
  const storage = new MemoryStorage()
  const { room, controlled, context, events } = await openControlledRoom(t, {
    storage,
    limits: { compactAfterUpdates: 2 },
  })
  const writer = clientDoc(t)
  controlled.isHoldingCompactions = true
  await room.writeUpdate(typeInto(writer, 'a'), apiOrigin)
  await room.writeUpdate(typeInto(writer, 'b'), apiOrigin)
  assert.equal(controlled.heldCompactions.length, 1, 'the compaction has started')
  const later = typeInto(writer, ' later')
  await room.writeUpdate(later, apiOrigin)
  controlled.releaseCompaction()
  await until(() => events.of('compacted').length > 0, { what: 'the compaction' })

  assert.equal(controlled.compactions[0]?.throughSeq, 2)
  const stored = await controlled.load('doc')
  assert.equal(textOf(stored.compacted!.update), 'ab')
  assert.deepEqual(stored.log, [later])

  await controlled.close()
  const reopened = createMemoryStore(storage)
  deferCleanup(t, () => reopened.close())
  const reloaded = await Room.load('doc', { ...context, store: reopened })
  deferCleanup(t, () => reloaded.destroy())
  const member = new FakeMember(1)
  reloaded.join(member)
  assert.deepEqual(member.received('syncStep1'), [Y.encodeStateVector(writer)])
  reloaded.receiveSyncStep1(member, Uint8Array.of(0))
  assert.equal(textOf(member.received('syncStep2')[0]!), 'ab later')
})

test('compactAll waits for the writes under way, then compacts them too', async (t) => {
  const { room, controlled } = await openControlledRoom(t)
  const writer = clientDoc(t)
  controlled.isHoldingAppends = true
  const writing = room.writeUpdate(typeInto(writer, 'in flight'), apiOrigin)
  let isCompacted = false
  const compacting = room.compactAll().then(() => {
    isCompacted = true
  })
  await nextTurn()
  assert.equal(isCompacted, false, 'compactAll waits while the append is held')
  assert.equal(controlled.compactions.length, 0)

  controlled.heldAppends.shift()?.release()
  await Promise.all([writing, compacting])
  assert.equal(controlled.compactions.length, 1)
  assert.equal(textOf(controlled.compactions[0]!.state.update), 'in flight')
  assert.deepEqual((await controlled.load('doc')).log, [])
})

test('compactAll resolves only once the whole log is compacted, also when a compaction was under way', async (t) => {
  const { room, controlled } = await openControlledRoom(t, { limits: { compactAfterUpdates: 2 } })
  const writer = clientDoc(t)
  controlled.isHoldingCompactions = true
  for (const text of ['a', 'b', 'c', 'd']) await room.writeUpdate(typeInto(writer, text), apiOrigin)
  assert.equal(controlled.heldCompactions.length, 1, "the first two entries' compaction is held")

  let isCompacted = false
  const compacting = room.compactAll().then(() => {
    isCompacted = true
  })
  controlled.releaseCompaction()
  await until(() => controlled.heldCompactions.length > 0, {
    what: 'the compaction of the last two entries',
  })
  await nextTurn()
  assert.equal(isCompacted, false, 'compactAll waits for the compaction of the last two entries')

  controlled.releaseCompaction()
  await compacting
  const stored = await controlled.load('doc')
  assert.deepEqual(stored.log, [])
  assert.equal(storedText(stored), 'abcd')
})

test('retries a failed compaction with the entries it did not write, and the room keeps working', async (t) => {
  const { room, controlled, events, logs } = await openControlledRoom(t, {
    limits: { compactAfterUpdates: 3 },
  })
  const sender = new FakeMember(1)
  const other = new FakeMember(2)
  room.join(sender)
  room.join(other)
  const writer = clientDoc(t)
  const updates = ['a', 'b', 'c', 'd'].map((text) => typeInto(writer, text))
  const diskFull = new Error('disk full')
  controlled.compactionFailures.push(diskFull)

  for (const update of updates.slice(0, 3)) await room.writeUpdate(update, apiOrigin)
  await until(() => events.of('storeFailed').length > 0, { what: 'the compaction to fail' })
  assert.deepEqual(events.of('storeFailed'), [['doc', 'compact', diskFull]])
  assert.ok(logs.some((line) => line.msg === 'compaction failed; it will be retried'))
  const afterFailure = await controlled.load('doc')
  assert.equal(afterFailure.compacted, null)
  assert.equal(afterFailure.log.length, 3, 'the log is intact')

  void room.receiveUpdate(sender, updates[3]!)
  await until(() => events.of('compacted').length > 0, { what: 'the compaction to be retried' })
  assert.deepEqual(other.received('update'), updates, 'updates are still relayed')
  assert.deepEqual(sender.failures, [])
  const compaction = events.of('compacted')[0]?.[1]
  assert.equal(compaction?.entries, 4, 'the retry covers the entries of the failed compaction')
  assert.equal(compaction.logBytes, totalBytes(updates))
  const stored = await controlled.load('doc')
  assert.deepEqual(stored.log, [])
  assert.equal(storedText(stored), 'abcd')
})

test('makes updates durable in the order they were written and compacts through the last sequence number, also after reopening', async (t) => {
  const storage = new MemoryStorage()
  const logger = createLogger('silent')
  const openPipeline = async (): Promise<{
    pipeline: WritePipeline
    controlled: ControlledStore
    durable: Uint8Array[]
  }> => {
    const memoryStore = createMemoryStore(storage)
    const controlled = new ControlledStore(memoryStore)
    const stored = await controlled.load('doc')
    const state = new DocumentState(stored, logger, (failure, error) => {
      throw new Error(`the document failed (${failure})`, { cause: error })
    })
    deferCleanup(t, () => state.destroy())
    const durable: Uint8Array[] = []
    const pipeline = new WritePipeline(
      {
        room: 'doc',
        store: controlled,
        state,
        limits: noCompactionLimits,
        observers: new Observers([], logger),
        document: { name: 'doc', read: (read) => read(state.doc()) },
        logger,
        onDurable: (update) => durable.push(update),
        onFenced: () => undefined,
      },
      stored,
    )
    return { pipeline, controlled, durable }
  }
  const writer = clientDoc(t)
  const updates = ['1', '2', '3', '4', '5'].map((text) => typeInto(writer, text))

  const first = await openPipeline()
  await Promise.all(updates.map((update) => first.pipeline.write(update, apiOrigin)))
  assert.deepEqual(first.durable, updates)
  assert.deepEqual(first.controlled.seqs, [1, 2, 3, 4, 5])
  await first.pipeline.compactAll()
  assert.deepEqual(
    first.controlled.compactions.map((compaction) => compaction.throughSeq),
    [5],
  )
  await first.controlled.close()

  const second = await openPipeline()
  deferCleanup(t, () => second.controlled.close())
  await second.pipeline.write(typeInto(writer, '6'), apiOrigin)
  assert.deepEqual(second.controlled.seqs, [6])
  await second.pipeline.compactAll()
  assert.deepEqual(
    second.controlled.compactions.map((compaction) => compaction.throughSeq),
    [6],
  )
  const stored = await second.controlled.load('doc')
  assert.deepEqual(stored.log, [], 'the compaction covered the entry written after reopening')
  assert.equal(storedText(stored), '123456')
})

test('compacts a log loaded past the limit as soon as the room is loaded', async (t) => {
  const storage = new MemoryStorage()
  const writer = clientDoc(t)
  const first = await openRoom(t, { storage })
  for (const text of ['x', 'y', 'z'])
    await first.room.writeUpdate(typeInto(writer, text), apiOrigin)
  await first.store.close()

  const { controlled, events } = await openControlledRoom(t, {
    storage,
    limits: { compactAfterUpdates: 3 },
  })
  await until(() => events.of('compacted').length > 0, { what: 'the compaction on load' })
  assert.deepEqual(
    controlled.compactions.map((compaction) => compaction.throughSeq),
    [3],
  )
  const stored = await controlled.load('doc')
  assert.deepEqual(stored.log, [])
  assert.equal(storedText(stored), 'xyz')
})
