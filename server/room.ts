// One open document: its Y.Doc, its awareness states and its connections. Applies updates only
// once the store has made them durable (write-before-relay), then relays them to the others.
// Knows nothing of WebSockets: connections reach it through RoomMember.
import * as Y from 'yjs'
import { CloseCode } from '../protocol/close-codes.js'
import { CollabError } from '../protocol/collab-error.js'
import { writeSyncStep1, writeSyncStep2, writeSyncUpdate } from '../protocol/message.js'
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

/**
 * One open document. Created loaded by `Room.load`; the registry owns its lifetime and calls
 * `flush` before dropping it. Invariant: the document holds only updates the store has made
 * durable.
 *
 * A room loaded from a bare snapshot keeps the stored bytes and builds its Y.Doc only when
 * something needs one (an update, a partial sync, a compaction): clients that join with nothing
 * get the stored snapshot as it is, which makes a cold load cost one read.
 */
export class Room {
  readonly name: string
  readonly members = new Set<RoomMember>()
  readonly #presence = new RoomPresence<RoomMember>((frame) => this.#broadcast(frame, undefined))
  /** Logs with the room name attached; connections in the room log through it too. */
  readonly logger: Logger
  readonly #store: DocStore
  readonly #limits: RoomLimits
  #lastAppliedSeq: number
  #logEntries: number
  #logBytes: number
  #pendingWrites = 0
  #writesSettled: Array<() => void> = []
  #compaction: Promise<void> | null = null
  /** Built on first use from `#fullState`; see the class comment. */
  #doc: Y.Doc | null = null
  /** The whole document as one update, while it matches the document; dropped on every change. */
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
    this.#lastAppliedSeq = stored.lastSeq
    this.#logEntries = stored.log.length
    this.#logBytes = stored.log.reduce((sum, update) => sum + update.length, 0)
    this.#fullState = stored.snapshot
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
    if (stored.log.length > 0) {
      const doc = room.#ensureDoc()
      for (const update of stored.log) room.#applyStored(doc, update)
      room.#fullState = null
    }
    room.#compactIfDue()
    return room
  }

  /** Adds a member and greets it: our sync step 1, then the awareness states we know. */
  join(member: RoomMember): void {
    this.members.add(member)
    const stateVector = this.#fullState?.stateVector ?? Y.encodeStateVector(this.#ensureDoc())
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
        : Y.encodeStateAsUpdate(this.#ensureDoc(), stateVector)
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
      Y.decodeUpdate(update)
    } catch (error) {
      throw malformed('Yjs update', error)
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
    this.#fullState = null
  }

  #ensureDoc(): Y.Doc {
    if (this.#doc) return this.#doc
    const doc = new Y.Doc()
    if (this.#fullState) this.#applyStored(doc, this.#fullState.update)
    this.#doc = doc
    return doc
  }

  #applyStored(doc: Y.Doc, update: Uint8Array): void {
    try {
      Y.applyUpdate(doc, update, storeOrigin)
    } catch (error) {
      this.logger.error({ err: error }, 'skipped a damaged stored update')
    }
  }

  /** The whole document as one update, encoded once and reused until the document changes. */
  #encodeFullState(): Snapshot {
    if (this.#fullState) return this.#fullState
    const doc = this.#ensureDoc()
    this.#fullState = { update: Y.encodeStateAsUpdate(doc), stateVector: Y.encodeStateVector(doc) }
    return this.#fullState
  }

  #applyDurable(
    member: RoomMember,
    update: Uint8Array,
    seq: number,
    frame: Uint8Array | undefined,
  ): void {
    this.#lastAppliedSeq = seq
    this.#logEntries++
    this.#logBytes += update.length
    try {
      this.#fullState = null
      Y.applyUpdate(this.#ensureDoc(), update, member)
    } catch (error) {
      this.logger.warn({ err: error }, 'an update could not be applied; closing its sender')
      member.fail(malformed('Yjs update', error))
      return
    }
    this.#broadcast(frame ?? writeSyncUpdate(update), member)
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

  // The snapshot covers exactly the updates applied so far (through #lastAppliedSeq); appends
  // still being written get higher sequence numbers and stay in the log.
  #compact(): Promise<void> {
    const entries = this.#logEntries
    const bytes = this.#logBytes
    this.#logEntries = 0
    this.#logBytes = 0
    const snapshot = this.#encodeFullState()
    this.#compaction = this.#store.compact(this.name, snapshot, this.#lastAppliedSeq).then(
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
