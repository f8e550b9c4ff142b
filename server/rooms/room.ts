// One open document: its members, what goes to whom, and presence. The document state and the
// write pipeline (write-before-relay) are its parts. Knows nothing of WebSockets: members are
// reached through RoomMember, and the HTTP API or a cluster bus can write without a member.
import { CloseCode } from '../../protocol/close-codes.js'
import { CollabError } from '../../protocol/collab-error.js'
import { MalformedUpdateError, checkUpdate } from '../../protocol/update-check.js'
import type { UpdateShape } from '../../protocol/update-shape.js'
import {
  type DocStore,
  type EncodedState,
  type StoredDoc,
  type VersionInfo,
  type VersionKind,
  WriterFencedError,
} from '../../persistence/store.js'
import type * as Y from 'yjs'
import type { CollabDocument, Observers, Origin } from '../events.js'
import type { Logger } from '../logger.js'
import type { ServerLimits } from '../options.js'
import { DocumentBrokenError, DocumentState } from './document-state.js'
import type { RoomMember, RoomMessage } from './room-member.js'
import { type PresenceLimits, RoomPresence } from './room-presence.js'
import { Authorship } from './authorship.js'
import type { CompactionLimits } from './compaction-policy.js'
import { type StructureLimits, StructureGuard } from './structure-guard.js'
import type { VersionHistory } from './version-history.js'
import { WritePipeline } from './write-pipeline.js'

/**
 * The limits a room enforces: compaction, the size its document may grow to, its structure,
 * presence, and how often it saves a version while it is edited.
 */
export type RoomLimits = CompactionLimits &
  Pick<ServerLimits, 'maxDocumentBytes' | 'versionIntervalMs'> &
  StructureLimits &
  PresenceLimits

/** What every room of a server shares. */
export interface RoomContext {
  readonly store: DocStore
  readonly limits: RoomLimits
  readonly observers: Observers
  /** Where the room saves its versions. */
  readonly history: VersionHistory
  /** The server's logger; the room adds its name. */
  readonly logger: Logger
  /** The store fenced a write: another instance loaded the room since this one did. */
  readonly writerLost?: (room: string) => void
}

// An update with no structs and an empty delete set: clients answer a sync step 1 with it when
// they have nothing new. Nothing to store or relay.
const isEmptyUpdate = (update: Uint8Array): boolean =>
  update.length === 2 && update[0] === 0 && update[1] === 0

/** The error that closes a connection whose payload could not be decoded (1007). */
const malformed = (message: string, cause?: unknown): CollabError =>
  new CollabError('COLLAB_BAD_PAYLOAD', CloseCode.invalidPayload, message, { cause })

/** Checks an update's encoding and returns its shape; throws a 1007 CollabError saying what is wrong. */
function assertWellFormed(update: Uint8Array): UpdateShape {
  try {
    return checkUpdate(update)
  } catch (error) {
    if (!(error instanceof MalformedUpdateError)) throw error
    throw malformed(error.message)
  }
}

/** What a member is closed with when the room's document broke (document-state.ts). */
const documentUnavailable = (cause: unknown): CollabError =>
  new CollabError(
    'COLLAB_DOCUMENT_UNAVAILABLE',
    CloseCode.internalError,
    'the server could not apply an update to this document; reconnect to load it again',
    { cause },
  )

/**
 * One open document. Created loaded by `Room.load`; the registry owns its lifetime and calls
 * `compactAll` before `destroy`. Invariant: the room holds and relays only durable updates.
 * Should its document break, the room closes its members and the registry loads it afresh.
 */
export class Room {
  readonly name: string
  /** The document as observers and hooks read it; reading after `destroy` throws. */
  readonly document: CollabDocument
  /** Logs with the room name attached; connections in the room log through it too. */
  readonly logger: Logger
  /** Members by connection id. */
  readonly #members = new Map<number, RoomMember>()
  readonly #presence: RoomPresence<RoomMember>
  readonly #observers: Observers
  readonly #state: DocumentState
  readonly #pipeline: WritePipeline
  readonly #guard: StructureGuard
  readonly #maxDocumentBytes: number
  readonly #history: VersionHistory
  readonly #versionIntervalMs: number
  /** Who changed the document since its last version (authorship.ts). */
  readonly #authorship = new Authorship()
  /** Set by a change since the last version; an automatic version is saved only then. */
  #hasUnversionedChanges = false
  /** The content of the last version this room saved, to skip one that would equal it. */
  #lastVersionContent: Uint8Array | null = null
  /** Runs while there are unversioned changes: saves the next automatic version. */
  #versionTimer: NodeJS.Timeout | undefined
  /** The last full-state answer to a sync step 1, reused while the state is unchanged. */
  #fullStateAnswer: Extract<RoomMessage, { kind: 'syncStep2' }> | null = null
  #isDestroyed = false

  private constructor(name: string, context: RoomContext, stored: StoredDoc) {
    this.name = name
    this.logger = context.logger.child({ room: name })
    this.#observers = context.observers
    this.#presence = new RoomPresence(context.limits, (update) =>
      this.#broadcast({ kind: 'awareness', update }, undefined),
    )
    this.#maxDocumentBytes = context.limits.maxDocumentBytes
    this.#history = context.history
    this.#versionIntervalMs = context.limits.versionIntervalMs
    this.#state = new DocumentState(stored, this.logger, (failure, error) =>
      this.#documentFailed(failure, error),
    )
    this.#guard = new StructureGuard(this.#state, context.limits)
    this.document = { name, read: (read) => this.#read(read) }
    this.#pipeline = new WritePipeline(
      {
        room: name,
        store: context.store,
        state: this.#state,
        limits: context.limits,
        observers: context.observers,
        document: this.document,
        logger: this.logger,
        onDurable: (update, origin) => this.#relayUpdate(update, origin),
        onFenced: () => context.writerLost?.(name),
      },
      stored,
    )
  }

  /** Loads a room's stored state. A damaged stored update is logged and skipped, not fatal. */
  static async load(name: string, context: RoomContext): Promise<Room> {
    const stored = await context.store.load(name)
    return new Room(name, context, stored)
  }

  /** Number of members. */
  get memberCount(): number {
    return this.#members.size
  }

  /** Whether the document broke: the room serves nothing more and must be loaded afresh. */
  get isBroken(): boolean {
    return this.#state.isBroken
  }

  /** Adds a member and greets it: our sync step 1, then the awareness states we know. */
  join(member: RoomMember): void {
    this.#members.set(member.origin.connectionId, member)
    this.#observers.notify('joined', this.name, member.origin)
    this.#containing(member, () => {
      member.deliver({ kind: 'syncStep1', stateVector: this.#state.stateVector() })
      this.receiveQueryAwareness(member)
    })
  }

  /** Removes a member and tells the others at once that its awareness states are gone. */
  leave(member: RoomMember): void {
    if (!this.#members.delete(member.origin.connectionId)) return
    const removed = this.#presence.removeMember(member)
    if (removed.length > 0) {
      this.#observers.notify(
        'awarenessChanged',
        this.name,
        { present: [], removed, stateCount: this.#presence.stateCount },
        member.origin,
      )
    }
    this.#observers.notify('left', this.name, member.origin)
  }

  /**
   * Answers a sync step 1 with what the member lacks. Members holding nothing of the document get
   * the same message (the full state), so the transport frames it once for all of them.
   */
  receiveSyncStep1(member: RoomMember, stateVector: Uint8Array): void {
    this.#containing(member, () => {
      let missing: Uint8Array
      try {
        missing = this.#state.missing(stateVector)
      } catch (error) {
        if (error instanceof DocumentBrokenError) throw error
        throw malformed('malformed state vector', error)
      }
      if (this.#fullStateAnswer?.update === missing) {
        member.deliver(this.#fullStateAnswer)
        return
      }
      const answer = { kind: 'syncStep2', update: missing } as const
      if (this.#state.isFullState(missing)) this.#fullStateAnswer = answer
      member.deliver(answer)
    })
  }

  /**
   * Takes an update a member sent: checked, refused when the member may only read, stored, then
   * relayed to the others. Throws a 1007 CollabError when it is malformed or its structure is
   * refused (structure-guard.ts), a 4413 one when it would grow the document past its limit; a
   * store failure closes the member with 1011. Returns the update's write, which resolves once
   * it is durable (and relayed), or undefined when nothing is written: an empty update, or one
   * refused (the member was told, or closed).
   */
  receiveUpdate(member: RoomMember, update: Uint8Array): Promise<void> | undefined {
    if (isEmptyUpdate(update)) return undefined
    if (member.origin.access !== 'write') {
      member.denyUpdate('read-only')
      return undefined
    }
    const receivedAtMs = performance.now()
    let shape: UpdateShape | undefined
    const isAdmitted = this.#containing(member, () => {
      shape = this.#admit(update)
    })
    if (!isAdmitted || !shape) return undefined
    const { ranges } = shape
    const write = this.#pipeline.write(update, member.origin, receivedAtMs)
    write.then(
      () => this.#changed(member.origin, ranges, member),
      (error: unknown) => this.#writeFailed(member, error),
    )
    return write
  }

  /**
   * Writes an update that no member sent (the HTTP API, a server-side change) through the same
   * path: checked, stored, then relayed to every member. Rejects with a CollabError when the
   * update is malformed (1007) or would grow the document past its limit (4413), or with the
   * store's error when it could not be stored.
   */
  async writeUpdate(update: Uint8Array, origin: Origin): Promise<void> {
    if (isEmptyUpdate(update)) return
    let shape: UpdateShape
    try {
      shape = this.#admit(update)
    } catch (error) {
      throw error instanceof DocumentBrokenError ? documentUnavailable(error) : error
    }
    await this.#pipeline.write(update, origin).catch((error: unknown) => {
      this.#guard.writeFailed()
      throw error
    })
    this.#changed(origin, shape.ranges, undefined)
  }

  /** The whole document as one update, with its state vector (encoded once per change). */
  encodedState(): EncodedState {
    return this.#state.fullState()
  }

  /** Entries and bytes of the update log that the next compaction folds in. */
  get log(): { readonly entries: number; readonly bytes: number } {
    return this.#pipeline.log
  }

  /**
   * Saves a version of the document as it is now, with the authors since the last one. Rejects
   * with the store's error when it could not be saved; those authors then go to the next one.
   */
  async saveVersion(kind: VersionKind, name: string | null): Promise<VersionInfo> {
    const content = this.#state.fullState().update
    const authors = this.#authorship.take()
    const hadChanges = this.#hasUnversionedChanges
    this.#hasUnversionedChanges = false
    clearTimeout(this.#versionTimer)
    this.#versionTimer = undefined
    try {
      const info = await this.#history.save(this.name, { kind, name, authors }, content)
      this.#lastVersionContent = content
      return info
    } catch (error) {
      this.#authorship.restore(authors)
      if (hadChanges) this.#markUnversioned()
      throw error
    }
  }

  /**
   * Saves an automatic version when the document changed since the last one (the interval
   * passed, it unloads, the server stops); nothing otherwise.
   */
  async saveVersionIfChanged(): Promise<void> {
    if (!this.#hasUnversionedChanges) return
    const content = this.#state.fullState().update
    if (this.#lastVersionContent && Buffer.compare(content, this.#lastVersionContent) === 0) {
      this.#hasUnversionedChanges = false
      return
    }
    await this.saveVersion('auto', null)
  }

  /** Resolves once no update is being written. */
  settle(): Promise<void> {
    return this.#pipeline.settled()
  }

  /** Closes every member's connection with `error` (the document is deleted or replaced). */
  closeMembers(error: CollabError): void {
    for (const member of this.#members.values()) member.fail(error)
  }

  /**
   * Applies an awareness update from a member and relays what it changed to the room
   * (room-presence.ts). A client id the member takes over from a connection of the same client
   * is logged; entries the member may not set are dropped and logged, and the member's third
   * such update throws a 1008 CollabError (awareness-refusal.ts). Returns whether the
   * update was more than an echo (it changed or was refused something): stock clients send back
   * every change they receive, and such an echo changes nothing.
   */
  receiveAwareness(member: RoomMember, update: Uint8Array): boolean {
    const { present, removed, takenOver, refusal } = this.#presence.receive(member, update)
    const hasChanged = present.length > 0 || removed.length > 0
    if (hasChanged) {
      this.#observers.notify(
        'awarenessChanged',
        this.name,
        { present, removed, stateCount: this.#presence.stateCount },
        member.origin,
      )
    }
    if (takenOver.length > 0) {
      this.logger.info(
        { userId: member.origin.principal.userId, clientIds: takenOver },
        'awareness client id taken over by a reconnect of the same user',
      )
    }
    if (!refusal) return hasChanged
    this.logger.warn(
      {
        userId: member.origin.principal.userId,
        refused: refusal.counts,
        clientIds: refusal.clientIds,
        strikes: refusal.strikes,
      },
      'refused awareness entries',
    )
    const error = refusal.closingError()
    if (error) throw error
    return true
  }

  /** Sends a member every awareness state the room knows. */
  receiveQueryAwareness(member: RoomMember): void {
    const states = this.#presence.encodeAll()
    if (states) member.deliver({ kind: 'awareness', update: states })
  }

  /**
   * Waits for every write under way, then compacts the log into one state. Rejects when the
   * store fails; the room then stays loaded and the caller retries later. `evenWhenEmpty`
   * writes the state also when there is no log (a document created empty).
   */
  compactAll(evenWhenEmpty = false): Promise<void> {
    return this.#pipeline.compactAll(evenWhenEmpty)
  }

  /** Frees the document. Only the registry calls this, after a successful `compactAll`. */
  destroy(): void {
    this.#isDestroyed = true
    clearTimeout(this.#versionTimer)
    this.#pipeline.close()
    this.#state.destroy()
  }

  #read<T>(read: (doc: Y.Doc) => T): T {
    if (this.#isDestroyed) throw new Error(`the document ${this.name} is no longer open`)
    return read(this.#state.doc())
  }

  #writeFailed(member: RoomMember, error: unknown): void {
    this.#guard.writeFailed()
    // Its room is being closed (the pipeline's onFenced): every member is told at once.
    if (error instanceof WriterFencedError) return
    this.logger.error({ err: error }, 'could not store an update; it was not relayed')
    member.fail(
      new CollabError(
        'COLLAB_STORE_FAILED',
        CloseCode.internalError,
        'the server could not store your update; reconnect to send it again',
        { cause: error },
      ),
    )
  }

  // The checks every update passes before it is written, in order of cost.
  #admit(update: Uint8Array): UpdateShape {
    const shape = assertWellFormed(update)
    this.#assertFits(update)
    this.#guard.admit(shape, update.length)
    return shape
  }

  // A durable change: its authors are recorded, and the next automatic version is due one
  // interval after the first change since the last version.
  #changed(origin: Origin, ranges: UpdateShape['ranges'], member: RoomMember | undefined): void {
    if (this.#isDestroyed) return
    this.#authorship.record(origin, ranges, () =>
      member ? this.#presence.announcedNameOf(member) : null,
    )
    this.#markUnversioned()
  }

  #markUnversioned(): void {
    this.#hasUnversionedChanges = true
    if (this.#versionTimer || this.#isDestroyed) return
    this.#versionTimer = setTimeout(() => {
      this.#versionTimer = undefined
      this.saveVersionIfChanged().catch((error: unknown) => {
        this.logger.error({ err: error }, 'could not save an automatic version; retried later')
      })
    }, this.#versionIntervalMs)
    this.#versionTimer.unref()
  }

  /**
   * Runs `use` of the document for `member`; should the document be broken, closes the member
   * and returns false.
   */
  #containing(member: RoomMember, use: () => void): boolean {
    try {
      use()
      return true
    } catch (error) {
      if (!(error instanceof DocumentBrokenError)) throw error
      member.fail(documentUnavailable(error))
      return false
    }
  }

  #documentFailed(failure: 'skipped' | 'broken', error: unknown): void {
    this.#observers.notify('documentFailed', this.name, failure, error)
    if (failure !== 'broken') return
    this.logger.error({ err: error }, 'the document broke; its connections are closed')
    for (const member of this.#members.values()) member.fail(documentUnavailable(error))
  }

  // The size an update would bring the document to is taken in up to three steps, each dearer
  // and closer than the one before, and the update is refused only when the last passes the
  // limit: the estimated size plus the update's bytes (free); the exact size plus them (one
  // encoding, kept until the document changes); the state merged with the update, which counts
  // what the document holds already once (a client that reconnects resends its whole delete
  // set). Updates still being written count with their bytes.
  #assertFits(update: Uint8Array): void {
    const limit = this.#maxDocumentBytes
    const state = this.#state
    const pendingBytes = this.#pipeline.pendingBytes
    if (state.estimatedBytes() + pendingBytes + update.length <= limit) return
    if (state.exactBytes() + pendingBytes + update.length <= limit) return
    if (state.mergedBytes(update) + pendingBytes <= limit) return
    throw new CollabError(
      'COLLAB_DOCUMENT_TOO_LARGE',
      CloseCode.documentTooLarge,
      `the update would grow the document past its ${limit}-byte limit; it was not stored`,
    )
  }

  #relayUpdate(update: Uint8Array, origin: Origin): void {
    this.#fullStateAnswer = null
    const sender = origin.kind === 'connection' ? origin.connectionId : undefined
    this.#broadcast({ kind: 'update', update }, sender)
    if (!this.#pipeline.isIdle) return
    try {
      this.#guard.settled()
    } catch (error) {
      if (!(error instanceof DocumentBrokenError)) throw error
    }
  }

  #broadcast(message: RoomMessage, exceptConnectionId: number | undefined): void {
    for (const [connectionId, member] of this.#members) {
      if (connectionId !== exceptConnectionId) member.deliver(message)
    }
  }
}
