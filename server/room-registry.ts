// Which rooms are open: loads each room once however many connections ask at the same time,
// and writes then unloads a room once its last connection has gone and the grace period passed.
import type { DocStore } from '../persistence/store.js'
import type { Logger } from './logger.js'
import type { ServerLimits } from './options.js'
import { Room } from './room.js'

interface RoomEntry {
  /** Resolves once the room is loaded; concurrent joins share it. */
  readonly room: Promise<Room>
  /** Connections holding the room, including upgrades still under way. */
  holds: number
  unloadTimer: NodeJS.Timeout | undefined
  /** Set while the room is being written and dropped; joins wait for it, then load afresh. */
  unloading: Promise<void> | undefined
}

/** Delay before retrying to write a room whose flush failed. */
const flushRetryMs = 5_000

/** Owns every open Room; created and closed by the server. */
export class RoomRegistry {
  readonly #entries = new Map<string, RoomEntry>()
  readonly #store: DocStore
  readonly #logger: Logger
  readonly #limits: ServerLimits

  constructor(store: DocStore, logger: Logger, limits: ServerLimits) {
    this.#store = store
    this.#logger = logger
    this.#limits = limits
  }

  /** Number of rooms loaded or loading. */
  get size(): number {
    return this.#entries.size
  }

  /** Connections (or pending upgrades) holding a room; 0 when it is not open. */
  holds(name: string): number {
    return this.#entries.get(name)?.holds ?? 0
  }

  /**
   * Holds a room open and resolves once its stored state is loaded. Every successful acquire
   * must be matched by one `release`.
   */
  async acquire(name: string): Promise<Room> {
    let entry = this.#entries.get(name)
    while (entry?.unloading) {
      await entry.unloading.catch(() => undefined)
      entry = this.#entries.get(name)
    }
    if (!entry) entry = this.#open(name)
    entry.holds++
    clearTimeout(entry.unloadTimer)
    entry.unloadTimer = undefined
    try {
      return await entry.room
    } catch (error) {
      entry.holds--
      throw error
    }
  }

  /** Gives up one hold. The last one writes the room and schedules its unload. */
  release(name: string): void {
    const entry = this.#entries.get(name)
    if (!entry) return
    entry.holds--
    if (entry.holds > 0) return
    void entry.room.then((room) =>
      room.flush().catch((error: unknown) => {
        this.#logger.error(
          { err: error, room: name },
          'could not write the document after its last client left',
        )
      }),
    )
    this.#scheduleUnload(name, entry, this.#limits.unloadGraceMs)
  }

  /** Writes and unloads every room (shutdown). Rejects if a room could not be written. */
  async closeAll(): Promise<void> {
    const results = await Promise.allSettled(
      [...this.#entries.keys()].map((name) => this.#unload(name)),
    )
    const failed = results.filter((result) => result.status === 'rejected')
    if (failed.length > 0) {
      throw new Error(`${failed.length} document(s) could not be written`, {
        cause: failed.map((result) => result.reason as unknown),
      })
    }
  }

  #open(name: string): RoomEntry {
    const entry: RoomEntry = {
      room: Room.load(name, this.#store, this.#logger, this.#limits),
      holds: 0,
      unloadTimer: undefined,
      unloading: undefined,
    }
    this.#entries.set(name, entry)
    entry.room.catch((error: unknown) => {
      this.#logger.error({ err: error, room: name }, 'could not load the document')
      if (this.#entries.get(name) === entry) this.#entries.delete(name)
      this.#store.release(name)
    })
    return entry
  }

  #scheduleUnload(name: string, entry: RoomEntry, delayMs: number): void {
    clearTimeout(entry.unloadTimer)
    entry.unloadTimer = setTimeout(() => {
      entry.unloadTimer = undefined
      if (entry.holds > 0) return
      this.#unload(name).catch((error: unknown) => {
        this.#logger.error(
          { err: error, room: name },
          'could not write the document; unload retried later',
        )
        this.#scheduleUnload(name, entry, flushRetryMs)
      })
    }, delayMs)
    entry.unloadTimer.unref()
  }

  #unload(name: string): Promise<void> {
    const entry = this.#entries.get(name)
    if (!entry) return Promise.resolve()
    if (entry.unloading) return entry.unloading
    clearTimeout(entry.unloadTimer)
    this.#logger.debug({ room: name }, 'unloading the document')
    entry.unloading = (async () => {
      try {
        const room = await entry.room
        await room.flush()
        room.destroy()
        this.#entries.delete(name)
        this.#store.release(name)
      } finally {
        entry.unloading = undefined
      }
    })()
    return entry.unloading
  }
}
