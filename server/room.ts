// One open document: its Y.Doc, its awareness states and its connections. Relays an update only
// once the store has made it durable (write-before-relay). Knows nothing of WebSockets:
// connections reach it through RoomMember.
import * as Y from 'yjs'
import { CloseCode } from '../protocol/close-codes.js'
import { CollabError } from '../protocol/collab-error.js'
import { writeSyncStep1, writeSyncStep2, writeSyncUpdate } from '../protocol/message.js'
import { MalformedUpdateError, checkUpdate } from '../protocol/update-check.js'
import type { DocStore, Snapshot, StoredDoc } from '../persistence/store.js'
import type { Logger } from './logger.js'
import type { OutgoingFrame } from './outgoing-frame.js'
import type { ServerLimits } from './options.js'
import { RoomPresence } from './room-presence.js'

/** What a room needs of a connection (server/connection.ts implements it). */
export interface RoomMember {
  /** Sends one frame; a member that cannot keep up closes itself. */
  send(frame: OutgoingFrame): void
  /** Ends the member's connection with the error's close code and reason. */
  fail(error: CollabError): void
}

/** Transaction origin of updates loaded from the store. */
const storeOrigin = { kind: 'store' } as const

// An update with no structs and an empty delete set: clients answer a sync step 1 with it when
// they have nothing new. Nothing to store or relay.
const isEmptyUpdate = (update: Uint8Array): boolean =>
  update.length === 2 && update[0] === 0 && update[1] === 0

/** The error that closes a connection whose payload could not be decoded (1007). */
const malformed = (what: string, cause: unknown): CollabError =>
  new CollabError('COLLAB_BAD_PAYLOAD', CloseCode.invalidPayload, `malformed ${what}`, { cause })

/** Room configuration taken from the server's limits. */
export type RoomLimits = Pick<ServerLimits, 'compactAfterUpdates' | 'compactAfterBytes'>

// A state vector that lists no client: the asker has nothing, so the whole state answers it.
const isEmptyStateVector = (stateVector: Uint8Array): boolean =>
  stateVector.length === 1 && stateVector[0] === 0

// Queued updates are applied once this many wait, so that a client joining a busy document never
// waits for a long queue to be applied first; applying a hundred at once costs far less than one
// transaction each.
const maxUnappliedUpdates = 100

// The state of a document that was never written.
const emptyDocument: Snapshot = {
  update: new Uint8Array([0, 0]),
  stateVector: new Uint8Array([0]),
}

/**
 * One open document. Created loaded by `Room.load`; the registry owns its lifetime and calls
 * `flush` before dropping it. Invariant: the room holds only updates the store has made durable.
 *
 * The Y.Doc is built and brought up to date only when something needs it (a partial sync, a
 * compaction): relaying an update only stores it and queues it, and the queue is applied in one
 * transaction when the document is next needed or when it is long. Clients that join with nothing get the encoded
 * state as it is, so a cold load from a snapshot costs one read, and a room that only relays
 * holds no document at all until it compacts.
 */
export class Room {
  readonly name: string
  readonly members = new Set<RoomMember>()
  readonly #presence = new RoomPresence<RoomMember>((frame) => this.#broadcast(frame, undefined))
  /** Logs with the room name attached; connections in the room log through it too. */
  readonly logger: Logger
  readonly #store: DocStore
  readonly #limits: RoomLimits
  #lastDurableSeq: number
  #logEntries: number
  #logBytes: number
  #pendingWrites = 0
  #writesSettled: Array<() => void> = []
  #compaction: Promise<void> | null = null
  /** Built on first use; see the class comment. */
  #doc: Y.Doc | null = null
  /** The stored snapshot, until `#doc` is built from it. */
  #snapshot: Uint8Array | null
  /** Durable updates not yet applied to the document (or to `#snapshot`), oldest first. */
  #unapplied: Uint8Array[]
  /** The whole document as one update, while it is current; dropped on every change. */
  #fullState: Snapshot | null

  private constructor(
    name: string,
    store: DocStore,
    logger: Logger,
    limits: RoomLimits,
    stored: StoredDoc,
  ) {
    this.name = name
    this.#store = store
    this.logger = logger
    this.#limits = limits
    this.#lastDurableSeq = stored.lastSeq
    this.#logEntries = stored.log.length
    this.#logBytes = stored.log.reduce((sum, update) => sum + update.length, 0)
    this.#snapshot = stored.snapshot?.update ?? null
    this.#unapplied = stored.log
    this.#fullState = stored.log.length > 0 ? null : (stored.snapshot ?? emptyDocument)
  }

  /** Loads a room's stored state. A damaged stored update is logged and skipped, not fatal. */
  static async load(
    name: string,
    store: DocStore,
    logger: Logger,
    limits: RoomLimits,
  ): Promise<Room> {
    const stored = await store.load(name)
    const room = new Room(name, store, logger.child({ room: name }), limits, stored)
    room.#compactIfDue()
    return room
  }

  /** Adds a member and greets it: our sync step 1, then the awareness states we know. */
  join(member: RoomMember): void {
    this.members.add(member)
    const stateVector = this.#fullState?.stateVector ?? Y.encodeStateVector(this.#currentDoc())
    member.send({ payload: writeSyncStep1(stateVector) })
    this.receiveQueryAwareness(member)
  }

  /** Removes a member and tells the others at once that its awareness states are gone. */
  leave(member: RoomMember): void {
    if (!this.members.delete(member)) return
    this.#presence.removeMember(member)
  }

  /** Answers a sync step 1 with what the member lacks. */
  receiveSyncStep1(member: RoomMember, stateVector: Uint8Array): void {
    let missing: Uint8Array
    try {
      missing = isEmptyStateVector(stateVector)
        ? this.#encodeFullState().update
        : Y.encodeStateAsUpdate(this.#currentDoc(), stateVector)
    } catch (error) {
      throw malformed('state vector', error)
    }
    member.send({ payload: writeSyncStep2(missing) })
  }

  /**
   * Stores an update from a member, then applies it and relays it to the others. `frame` is the
   * member's own sync-update frame when it can be relayed as it is.
   */
  receiveUpdate(member: RoomMember, update: Uint8Array, frame: Uint8Array | undefined): void {
    if (isEmptyUpdate(update)) return
    try {
      checkUpdate(update)
    } catch (error) {
      if (!(error instanceof MalformedUpdateError)) throw error
      throw new CollabError('COLLAB_BAD_PAYLOAD', CloseCode.invalidPayload, error.message)
    }
    this.#pendingWrites++
    this.#store.append(this.name, update).then(
      (seq) => {
        this.#writeSettled()
        this.#applyDurable(member, update, seq, frame)
      },
      (error: unknown) => {
        this.#writeSettled()
        this.logger.error({ err: error }, 'could not store an update; it was not relayed')
        member.fail(
          new CollabError(
            'COLLAB_STORE_FAILED',
            CloseCode.internalError,
            'the server could not store your update; reconnect to send it again',
            { cause: error },
          ),
        )
      },
    )
  }

  /** Applies an awareness update from a member and relays it to the room (room-presence.ts). */
  receiveAwareness(member: RoomMember, payload: Uint8Array, frame: Uint8Array): void {
    this.#presence.receive(member, payload, frame)
  }

  /** Sends a member every awareness state the room knows. */
  receiveQueryAwareness(member: RoomMember): void {
    const states = this.#presence.encodeAll()
    if (states) member.send({ payload: states })
  }

  /**
   * Waits for every write under way, then compacts the log into a snapshot. Rejects when the
   * store fails; the room then stays loaded and the caller retries later.
   */
  async flush(): Promise<void> {
    while (this.#pendingWrites > 0) {
      await new Promise<void>((resolve) => this.#writesSettled.push(resolve))
    }
    if (this.#compaction) await this.#compaction
    if (this.#logEntries > 0) await this.#compact()
  }

  /** Frees the document. Only the registry calls this, after a successful flush. */
  destroy(): void {
    this.#doc?.destroy()
    this.#doc = null
    this.#snapshot = null
    this.#unapplied = []
    this.#fullState = null
  }

  /** The document with every durable update applied; queued updates go in one transaction. */
  #currentDoc(): Y.Doc {
    let doc = this.#doc
    if (!doc) {
      doc = new Y.Doc()
      if (this.#snapshot) this.#applyStored(doc, this.#snapshot)
      this.#snapshot = null
      this.#doc = doc
    }
    const updates = this.#unapplied
    if (updates.length > 0) {
      this.#unapplied = []
      const current = doc
      Y.transact(
        current,
        () => {
          for (const update of updates) this.#applyStored(current, update)
        },
        storeOrigin,
      )
    }
    return doc
  }

  // Every update was checked before it was stored, so one that still fails to apply is damaged
  // in a way the check cannot see: it is skipped, as on load, rather than failing the room.
  #applyStored(doc: Y.Doc, update: Uint8Array): void {
    try {
      Y.applyUpdate(doc, update, storeOrigin)
    } catch (error) {
      this.logger.error({ err: error }, 'skipped a stored update that could not be applied')
    }
  }

  /** The whole document as one update, encoded once and reused until the document changes. */
  #encodeFullState(): Snapshot {
    if (this.#fullState) return this.#fullState
    const doc = this.#currentDoc()
    this.#fullState = { update: Y.encodeStateAsUpdate(doc), stateVector: Y.encodeStateVector(doc) }
    return this.#fullState
  }

  #applyDurable(
    member: RoomMember,
    update: Uint8Array,
    seq: number,
    frame: Uint8Array | undefined,
  ): void {
    this.#lastDurableSeq = seq
    this.#logEntries++
    this.#logBytes += update.length
    this.#unapplied.push(update)
    this.#fullState = null
    this.#broadcast(frame ?? writeSyncUpdate(update), member)
    if (this.#unapplied.length >= maxUnappliedUpdates) this.#currentDoc()
    this.#compactIfDue()
  }

  #broadcast(payload: Uint8Array, except: RoomMember | undefined): void {
    const frame: OutgoingFrame = { payload }
    for (const member of this.members) {
      if (member !== except) member.send(frame)
    }
  }

  #writeSettled(): void {
    this.#pendingWrites--
    if (this.#pendingWrites === 0) for (const resolve of this.#writesSettled.splice(0)) resolve()
  }

  #compactIfDue(): void {
    const isDue =
      this.#logEntries >= this.#limits.compactAfterUpdates ||
      this.#logBytes >= this.#limits.compactAfterBytes
    if (!isDue || this.#compaction) return
    this.#compact().catch((error: unknown) => {
      this.logger.error({ err: error }, 'compaction failed; it will be retried')
    })
  }

  // The snapshot covers exactly the durable updates (through #lastDurableSeq); appends
  // still being written get higher sequence numbers and stay in the log.
  #compact(): Promise<void> {
    const entries = this.#logEntries
    const bytes = this.#logBytes
    this.#logEntries = 0
    this.#logBytes = 0
    const snapshot = this.#encodeFullState()
    this.#compaction = this.#store.compact(this.name, snapshot, this.#lastDurableSeq).then(
      () => {
        this.#compaction = null
        // A burst may have passed the threshold again while this compaction was written.
        this.#compactIfDue()
      },
      (error: unknown) => {
        this.#compaction = null
        this.#logEntries += entries
        this.#logBytes += bytes
        throw error
      },
    )
    return this.#compaction
  }
}
