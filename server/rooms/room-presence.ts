// The presence side of a room: awareness states, which member owns which client ID and may change
// its state, and relaying changes to the room, coalesced per event-loop turn.
import { type AwarenessEntry, readAwarenessUpdate } from '../../protocol/awareness-codec.js'
import { anonymousUserId } from '../auth.js'
import type { ConnectionOrigin } from '../events.js'
import type { ServerLimits } from '../options.js'
import { AwarenessOwners } from './awareness-owners.js'
import { AwarenessRefusal, type AwarenessRefusalReason } from './awareness-refusal.js'
import { AwarenessStates } from './awareness-states.js'

/** The limits presence enforces: client ids per member, states and their bytes per room. */
export type PresenceLimits = Pick<
  ServerLimits,
  'maxAwarenessClientsPerConnection' | 'maxAwarenessStatesPerRoom' | 'maxRoomAwarenessBytes'
>

/**
 * What one awareness update did: the clients it set or removed, those of them the sender took
 * over from another connection of its own (a reconnect), and what was refused of it.
 */
export interface PresenceReceipt {
  readonly present: readonly number[]
  readonly removed: readonly number[]
  readonly takenOver: readonly number[]
  /** The refused entries, or null when none was. */
  readonly refusal: AwarenessRefusal | null
}

/**
 * What becomes of one entry: applied (its free client id claimed, or its id taken over from a
 * connection of the same client, first), ignored or refused.
 */
type Verdict = 'apply' | 'claimAndApply' | 'takeOverAndApply' | 'ignore' | AwarenessRefusalReason

/** What presence needs of a member: who is on its connection. */
interface PresenceMember {
  readonly origin: ConnectionOrigin
}

/**
 * Whether a connection may be a reconnect of the client on another: the same authenticated user,
 * or without authentication the same client address too (all anonymous connections are one user).
 */
function isSameClient(claimant: ConnectionOrigin, owner: ConnectionOrigin): boolean {
  const { userId } = claimant.principal
  if (userId !== owner.principal.userId) return false
  // An authenticator's user of the anonymous id only asks more of a takeover.
  return userId !== anonymousUserId || claimant.clientAddress === owner.clientAddress
}

/**
 * Presence of one room. `broadcast` sends an awareness update to every member of the room.
 * Members are compared by identity. A member may set or remove only the states of client ids it
 * owns (awareness-owners.ts), or take an id over from a connection of the same client
 * (`isSameClient`): a client that reconnects before the server has noticed its old connection is
 * dead takes its id back. Entries for other ids that would change nothing are the echoes stock
 * clients send of what they were sent, and are ignored.
 */
export class RoomPresence<Member extends PresenceMember> {
  readonly #states: AwarenessStates
  readonly #owners: AwarenessOwners<Member>
  readonly #broadcast: (awarenessUpdate: Uint8Array) => void
  /** Refused updates per member that were its own fault (awareness-refusal.ts). */
  readonly #strikes = new WeakMap<Member, number>()
  /**
   * Changes received during this event-loop turn, relayed together at its end: the update as it
   * came while it is the only one and applied whole, else the clients to encode.
   */
  #pending: { verbatim: Uint8Array | null; clients: Set<number> } | null = null

  constructor(limits: PresenceLimits, broadcast: (awarenessUpdate: Uint8Array) => void) {
    this.#states = new AwarenessStates(limits)
    this.#owners = new AwarenessOwners(limits.maxAwarenessClientsPerConnection)
    this.#broadcast = broadcast
  }

  /** Number of clients with a live state. */
  get stateCount(): number {
    return this.#states.size
  }

  /**
   * Applies an awareness update a member sent and returns what it changed and refused. Changes
   * reach the whole room, the sender included, at the end of the event-loop turn: one update
   * applied whole is relayed as it came, anything else as the new entries of the clients it
   * changed. Throws a CollabError (1007) for a malformed update.
   */
  receive(member: Member, update: Uint8Array): PresenceReceipt {
    const entries = readAwarenessUpdate(update)
    const present: number[] = []
    const removed: number[] = []
    const takenOver: number[] = []
    let refusal: AwarenessRefusal | null = null
    for (const entry of entries) {
      const verdict = this.#judge(member, entry)
      if (verdict === 'ignore') continue
      if (verdict === 'claimAndApply' || verdict === 'takeOverAndApply') {
        this.#owners.claim(entry.clientId, member)
        if (verdict === 'takeOverAndApply') takenOver.push(entry.clientId)
      } else if (verdict !== 'apply') {
        ;(refusal ??= new AwarenessRefusal()).add(entry.clientId, verdict)
        continue
      }
      if (this.#states.apply(entry)) present.push(entry.clientId)
      else removed.push(entry.clientId)
    }
    if (refusal?.isStrike) {
      refusal.strikes = (this.#strikes.get(member) ?? 0) + 1
      this.#strikes.set(member, refusal.strikes)
    }
    const appliedCount = present.length + removed.length
    if (appliedCount > 0) {
      this.#queueRelay(appliedCount === entries.length ? update : null, present, removed)
    }
    return { present, removed, takenOver, refusal }
  }

  /**
   * Removes the states of a member's clients and frees their ids, and tells the room at once.
   * Returns the client ids whose states were removed.
   */
  removeMember(member: Member): readonly number[] {
    const clients = this.#owners.release(member)
    if (!clients) return []
    const removal = this.#states.remove(clients)
    if (!removal) return []
    this.#broadcast(removal.update)
    return removal.clientIds
  }

  /**
   * The name a member announces in its awareness (`user.name`, as y-prosemirror's cursors and
   * our editor set it) on one of its client ids; null when it announces none. Unverified: the
   * client chose it.
   */
  announcedNameOf(member: Member): string | null {
    for (const clientId of this.#owners.clientsOf(member)) {
      const json = this.#states.stateJsonOf(clientId)
      if (json === undefined) continue
      const name = userNameIn(json)
      if (name !== null) return name
    }
    return null
  }

  /** Every known state as one awareness update, or null when there is none. */
  encodeAll(): Uint8Array | null {
    return this.#states.encodeAll()
  }

  #judge(member: Member, entry: AwarenessEntry): Verdict {
    const owner = this.#owners.ownerOf(entry.clientId)
    if (owner && owner !== member) {
      // Only a newer clock changes what the owner set. Stock clients echo what they were sent at
      // its clock, and drop states they have not heard of in 30 s with a removal at the same
      // clock, which the room does not take from anyone but the owner.
      if (this.#states.clockOf(entry.clientId) >= entry.clock) return 'ignore'
      if (!isSameClient(member.origin, owner.origin)) return 'ownedByAnotherConnection'
      if (!this.#owners.hasRoomFor(member)) return 'maxAwarenessClientsPerConnection'
      return this.#states.exceededLimit(entry) ?? 'takeOverAndApply'
    }
    if (!this.#states.isNewer(entry)) return 'ignore'
    if (owner) return this.#states.exceededLimit(entry) ?? 'apply'
    // A free id holds no state (its owner's left with it), so there is nothing to remove.
    if (entry.stateJson === 'null') return 'ignore'
    if (!this.#owners.hasRoomFor(member)) return 'maxAwarenessClientsPerConnection'
    return this.#states.exceededLimit(entry) ?? 'claimAndApply'
  }

  #queueRelay(
    verbatim: Uint8Array | null,
    present: readonly number[],
    removed: readonly number[],
  ): void {
    if (this.#pending) {
      this.#pending.verbatim = null
    } else {
      this.#pending = { verbatim, clients: new Set() }
      setImmediate(() => this.#relayPending())
    }
    for (const clientId of present) this.#pending.clients.add(clientId)
    for (const clientId of removed) this.#pending.clients.add(clientId)
  }

  #relayPending(): void {
    const pending = this.#pending
    if (!pending) return
    this.#pending = null
    this.#broadcast(pending.verbatim ?? this.#states.encode(pending.clients))
  }
}

/** Longest announced name kept; longer ones are cut (an author list is no place for an essay). */
const maxAnnouncedNameLength = 100

// The state was validated as JSON on receipt; it is parsed again only when a version records
// its authors, once per author and version.
function userNameIn(stateJson: string): string | null {
  const state = JSON.parse(stateJson) as { user?: { name?: unknown } } | null
  const name = state?.user?.name
  if (typeof name !== 'string' || name.trim() === '') return null
  return [...name.trim()].slice(0, maxAnnouncedNameLength).join('')
}
