// A room opened for a unit test: a memory store, a logger and an observer that record what
// happened, and cleanup after the test.
import type { TestContext } from 'node:test'
import { MemoryStorage, createMemoryStore } from '../../persistence/memory/store.js'
import type { DocStore } from '../../persistence/store.js'
import { type CollabObserver, Observers } from '../../server/events.js'
import { defaultLimits } from '../../server/options.js'
import { Room, type RoomContext, type RoomLimits } from '../../server/rooms/room.js'
import { VersionHistory, defaultVersionRetention } from '../../server/rooms/version-history.js'
import { deferCleanup } from './cleanup.js'
import { collectLogs } from './collect-logs.js'
import { RecordedEvents } from './recorded-events.js'

/** Options of `openRoom`. */
export interface OpenRoomOptions {
  /** Room name; 'doc' by default. */
  name?: string
  /** What the memory store writes to; share it to reopen a room as after a restart. */
  storage?: MemoryStorage
  limits?: Partial<RoomLimits>
  /** Wraps the memory store, e.g. to hold or fail its writes. */
  wrapStore?: (store: DocStore) => DocStore
  /** Observers after the one that records `events`. */
  observers?: CollabObserver[]
}

/** A room loaded for a unit test, with what it is made of. */
export interface RoomFixture {
  room: Room
  /** The store the room writes to (the wrapper, when there is one). */
  store: DocStore
  context: RoomContext
  events: RecordedEvents
  /** Every log line, parsed. */
  logs: Array<Record<string, unknown>>
}

/**
 * Loads a room from a memory store on `storage` (a new one by default). The store is closed and
 * the room destroyed after the test; closing the store earlier, to reopen the storage, is fine.
 */
export async function openRoom(
  t: TestContext,
  options: OpenRoomOptions = {},
): Promise<RoomFixture> {
  const storage = options.storage ?? new MemoryStorage()
  const memoryStore = createMemoryStore(storage)
  deferCleanup(t, () => memoryStore.close())
  const store = options.wrapStore ? options.wrapStore(memoryStore) : memoryStore
  const { logger, logs } = collectLogs()
  const events = new RecordedEvents()
  const context: RoomContext = {
    store,
    limits: { ...defaultLimits, ...options.limits },
    observers: new Observers([events.observer, ...(options.observers ?? [])], logger),
    history: new VersionHistory(store, defaultVersionRetention, logger),
    logger,
  }
  const room = await Room.load(options.name ?? 'doc', context)
  deferCleanup(t, () => room.destroy())
  return { room, store, context, events, logs }
}
