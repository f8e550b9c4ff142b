// Which rooms are open: loads each room once however many connections ask at the same time,
// and compacts then unloads a room once its last holder has gone and the grace period passed.
// Server-side operations that need a room closed (delete, replace) hold joins off meanwhile.
import { CloseCode } from '../../protocol/close-codes.js'
import { CollabError } from '../../protocol/collab-error.js'
import { type StoredDoc, WriterFencedError } from '../../persistence/store.js'
import type { Placement } from '../cluster.js'
import { Room, type RoomContext } from './room.js'

/**
 * Whether this server may open a room: in a cluster, only the instance that owns a document opens
 * it (server/cluster.ts); alone, the registry has none and opens every room.
 */
export interface RoomOwnership {
  /** Makes this instance the room's owner unless a live instance is. */
  claim(name: string): Promise<Placement>
  /** This instance closed the room: another may own it now. */
  release(name: string): void
}

/** The room is open on another instance of the cluster: connect there, through the bus. */
export class OwnedElsewhereError extends Error {
  readonly owner: string
  constructor(name: string, owner: string) {
    super(`the document ${JSON.stringify(name)} is open on instance ${owner}`)
    this.name = 'OwnedElsewhereError'
    this.owner = owner
  }
}

/** What closes the clients of a room another instance has become the writer of. */
const movedError = (): CollabError =>
  new CollabError(
    'COLLAB_MOVED',
    CloseCode.serviceRestart,
    'the document moved to another instance; reconnect',
  )

interface RoomEntry {
  /** Resolves once the room is loaded; concurrent joins share it. */
  readonly room: Promise<Room>
  /** The room once loaded, to tell its holders from those of a room loaded after it. */
  loaded: Room | undefined
  /** Holders of the room (connections, upgrades still under way). */
  holders: number
  unloadTimer: NodeJS.Timeout | undefined
  /** Set while the room is being compacted and dropped; joins wait for it, then load afresh. */
  unloading: Promise<void> | undefined
}

/** Delay before retrying to compact a room whose compaction failed before its unload. */
const compactRetryMs = 5_000

/** Owns every open Room; created and closed by the server. */
export class RoomRegistry {
  readonly #entries = new Map<string, RoomEntry>()
  /** Rooms that must not be opened now (see `withClosed`); joins wait for the promise. */
  readonly #held = new Map<string, Promise<void>>()
  readonly #context: RoomContext
  readonly #unloadGraceMs: number
  readonly #ownership: RoomOwnership | undefined

  constructor(context: RoomContext, unloadGraceMs: number, ownership?: RoomOwnership) {
    this.#context = { ...context, writerLost: (name) => this.#writerLost(name) }
    this.#unloadGraceMs = unloadGraceMs
    this.#ownership = ownership
  }

  /** Number of rooms loaded or loading. */
  get size(): number {
    return this.#entries.size
  }

  /** Whether a room is loaded or loading, held or waiting out its unload grace. */
  isOpen(name: string): boolean {
    return this.#entries.has(name)
  }

  /** How many hold a room (connections and upgrades under way); 0 when it is not open. */
  holderCount(name: string): number {
    return this.#entries.get(name)?.holders ?? 0
  }

  /** The WebSocket connections of an open room; 0 when it is not open. */
  connectionCount(name: string): number {
    return this.#entries.get(name)?.loaded?.memberCount ?? 0
  }

  /**
   * Holds a room open and resolves once its stored state is loaded. Every successful acquire
   * must be matched by one `release`. In a cluster, rejects with OwnedElsewhereError when
   * another instance owns the document.
   */
  async acquire(name: string): Promise<Room> {
    let isClaimed = false
    for (;;) {
      for (let held = this.#held.get(name); held; held = this.#held.get(name)) await held
      let entry = this.#entries.get(name)
      while (entry?.unloading) {
        await entry.unloading.catch(() => undefined)
        entry = this.#entries.get(name)
      }
      if (!entry && this.#ownership && !isClaimed) {
        const placement = await this.#ownership.claim(name)
        if (placement.kind === 'elsewhere') throw new OwnedElsewhereError(name, placement.owner)
        // Holds or unloads may have begun meanwhile: look again.
        isClaimed = true
        continue
      }
      if (!entry) entry = this.#open(name)
      entry.holders++
      clearTimeout(entry.unloadTimer)
      entry.unloadTimer = undefined
      let room: Room
      try {
        room = await entry.room
      } catch (error) {
        entry.holders--
        throw error
      }
      if (!room.isBroken) return room
      // Its document broke in Yjs (document-state.ts): once its connections have gone (they are
      // closing), drop it and load it afresh from the store.
      entry.holders--
      if (entry.holders > 0) throw new Error('the document broke; its connections are closing')
      this.#discardBroken(name, entry, room)
    }
  }

  /**
   * Gives up one hold of `room`. The last one compacts the room and schedules its unload. A hold
   * of a room that was closed since (deleted, replaced) is gone already.
   */
  release(name: string, room: Room): void {
    const entry = this.#entries.get(name)
    if (!entry || entry.loaded !== room) return
    entry.holders--
    if (entry.holders > 0) return
    void entry.room.then((room) =>
      room.compactAll().catch((error: unknown) => {
        room.logger.error(
          { err: error },
          'could not compact the document after its last client left',
        )
      }),
    )
    this.#scheduleUnload(name, entry, this.#unloadGraceMs)
  }

  /** Holds the room open while `use` runs on it. */
  async withRoom<T>(name: string, use: (room: Room) => Promise<T> | T): Promise<T> {
    const room = await this.acquire(name)
    try {
      return await use(room)
    } finally {
      this.release(name, room)
    }
  }

  /**
   * Runs `use` on what is stored of a room: the open room itself, or, when it is not open, the
   * store's content read for this call only (joins wait meanwhile), so that reading many
   * documents (a backup) opens none of them.
   */
  async withStored<T>(name: string, use: (source: Room | StoredDoc) => Promise<T> | T): Promise<T> {
    const { store } = this.#context
    const outcome = await this.#hold(name, async () => {
      if (this.#entries.has(name)) return { isOpen: true } as const
      return { isOpen: false, value: await use(await store.read(name)) } as const
    })
    return outcome.isOpen ? this.withRoom(name, use) : outcome.value
  }

  /**
   * Closes the room (its connections with `error`, without writing it again: what is durable
   * stays) and runs `use` while joins wait; they load the room afresh afterwards. For deleting
   * or replacing a document in the store. In a cluster, rejects with OwnedElsewhereError when
   * another instance owns the document.
   */
  withClosed<T>(name: string, error: CollabError, use: () => Promise<T>): Promise<T> {
    return this.#hold(name, async () => {
      // In a cluster only the owner may delete or replace a document: its clients are here.
      const isClaimed = !this.#entries.has(name) && this.#ownership !== undefined
      if (isClaimed) {
        const placement = await this.#ownership.claim(name)
        if (placement.kind === 'elsewhere') throw new OwnedElsewhereError(name, placement.owner)
      }
      try {
        await this.#close(name, error)
        return await use()
      } finally {
        if (isClaimed && !this.#entries.has(name)) this.#ownership.release(name)
      }
    })
  }

  /** Closes the room if it is open (its connections with `error`), without writing it again. */
  async #close(name: string, error: CollabError): Promise<void> {
    const entry = this.#entries.get(name)
    if (!entry) return
    await entry.unloading?.catch(() => undefined)
    const room = await entry.room.catch(() => null)
    if (this.#entries.get(name) !== entry) return
    clearTimeout(entry.unloadTimer)
    this.#entries.delete(name)
    if (room) {
      room.closeMembers(error)
      // Appends under way finish first, so that the store's next call comes after them.
      await room.settle()
      room.destroy()
    }
    this.#forget(name)
    this.#context.observers.notify('unloaded', name)
  }

  /**
   * Compacts every loaded room and keeps it open (the first step of a drain, while clients are
   * still connected). A room that could not be written is logged; unloading retries it.
   */
  async compactEvery(): Promise<void> {
    const compactions = [...this.#entries.values()].map(async (entry) => {
      const room = await entry.room.catch(() => null)
      await room?.compactAll().catch((error: unknown) => {
        room.logger.error({ err: error }, 'could not write the document while draining')
      })
    })
    await Promise.all(compactions)
  }

  /** Compacts and unloads every room (shutdown). Rejects if a room could not be written. */
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
    const { observers, logger } = this.#context
    const entry: RoomEntry = {
      room: Room.load(name, this.#context),
      loaded: undefined,
      holders: 0,
      unloadTimer: undefined,
      unloading: undefined,
    }
    this.#entries.set(name, entry)
    entry.room.then(
      (room) => {
        entry.loaded = room
        observers.notify('loaded', name, room.document)
      },
      (error: unknown) => {
        logger.error({ err: error, room: name }, 'could not load the document')
        if (this.#entries.get(name) === entry) this.#entries.delete(name)
        this.#forget(name)
        observers.notify('storeFailed', name, 'load', error)
      },
    )
    return entry
  }

  #discardBroken(name: string, entry: RoomEntry, room: Room): void {
    if (this.#entries.get(name) !== entry) return
    clearTimeout(entry.unloadTimer)
    this.#entries.delete(name)
    room.destroy()
    this.#forget(name)
    this.#context.observers.notify('unloaded', name)
  }

  /** The store, the history and the cluster may drop what they keep for a closed room. */
  #forget(name: string): void {
    this.#context.store.evict(name)
    this.#context.history.forget(name)
    this.#ownership?.release(name)
  }

  // Another instance loaded the room since this one did (the store fenced a write): its clients
  // reconnect and reach that instance; nothing is written here again.
  #writerLost(name: string): void {
    this.#context.logger.warn(
      { room: name },
      'another instance writes the document now; closing it here',
    )
    void this.closeMoved(name)
  }

  /** Closes a room another instance owns now (the cluster found out after the bus came back). */
  closeMoved(name: string): Promise<void> {
    return this.#hold(name, () => this.#close(name, movedError()))
  }

  #scheduleUnload(name: string, entry: RoomEntry, delayMs: number): void {
    clearTimeout(entry.unloadTimer)
    entry.unloadTimer = setTimeout(() => {
      entry.unloadTimer = undefined
      if (entry.holders > 0) return
      this.#unload(name).catch((error: unknown) => {
        this.#context.logger.error(
          { err: error, room: name },
          'could not write the document; unload retried later',
        )
        this.#scheduleUnload(name, entry, compactRetryMs)
      })
    }, delayMs)
    entry.unloadTimer.unref()
  }

  #unload(name: string): Promise<void> {
    const entry = this.#entries.get(name)
    if (!entry) return Promise.resolve()
    if (entry.unloading) return entry.unloading
    clearTimeout(entry.unloadTimer)
    const { observers, logger } = this.#context
    logger.debug({ room: name }, 'unloading the document')
    entry.unloading = (async () => {
      try {
        const room = await entry.room
        await room.saveVersionIfChanged()
        // A fenced writer has nothing left to write: the room's new writer has all of it.
        await room.compactAll().catch((error: unknown) => {
          if (!(error instanceof WriterFencedError)) throw error
        })
        observers.notify('unloading', name, room.document)
        room.destroy()
        this.#entries.delete(name)
        this.#forget(name)
        observers.notify('unloaded', name)
      } finally {
        entry.unloading = undefined
      }
    })()
    return entry.unloading
  }

  // Runs `use` with the room held closed, after any earlier hold. The last check and the new
  // hold happen in one turn of the event loop, so two holds never overlap.
  async #hold<T>(name: string, use: () => Promise<T>): Promise<T> {
    for (let held = this.#held.get(name); held; held = this.#held.get(name)) await held
    const running = use()
    const held = running.then(
      () => undefined,
      () => undefined,
    )
    this.#held.set(name, held)
    try {
      return await running
    } finally {
      if (this.#held.get(name) === held) this.#held.delete(name)
    }
  }
}
