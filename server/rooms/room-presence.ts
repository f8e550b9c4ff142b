// The presence side of a room: awareness states, which member controls which client ID, and
// relaying changes to the room, coalesced per event-loop turn.
import { readAwarenessUpdate } from '../../protocol/awareness-codec.js'
import { AwarenessStates } from './awareness-states.js'

/** What one awareness update changed. */
export interface PresenceChange {
  readonly present: readonly number[]
  readonly removed: readonly number[]
}

/**
 * Presence of one room. `broadcast` sends an awareness update to every member of the room.
 * Members are compared by identity.
 */
export class RoomPresence<Member extends object> {
  readonly #states = new AwarenessStates()
  readonly #broadcast: (awarenessUpdate: Uint8Array) => void
  /** Which member controls each client ID, and the reverse. */
  readonly #owners = new Map<number, Member>()
  readonly #clientsOf = new Map<Member, Set<number>>()
  /** Changes received during this event-loop turn, relayed together at its end. */
  #pending: { updates: Uint8Array[]; clients: Set<number> } | null = null

  constructor(broadcast: (awarenessUpdate: Uint8Array) => void) {
    this.#broadcast = broadcast
  }

  /** Number of clients with a live state. */
  get stateCount(): number {
    return this.#states.size
  }

  /**
   * Applies an awareness update a member sent and returns what changed, or null when nothing did.
   * Changes reach the whole room, the sender included, at the end of the event-loop turn: one
   * update is relayed as it came, several are merged into one. Throws a CollabError (1007) for
   * a malformed update.
   */
  receive(member: Member, update: Uint8Array): PresenceChange | null {
    const change = this.#states.apply(readAwarenessUpdate(update))
    const { present, removed } = change
    for (const clientId of present) this.#setOwner(clientId, member)
    for (const clientId of removed) this.#setOwner(clientId, undefined)
    if (present.length === 0 && removed.length === 0) return null
    if (!this.#pending) {
      this.#pending = { updates: [], clients: new Set() }
      setImmediate(() => this.#relayPending())
    }
    this.#pending.updates.push(update)
    for (const clientId of present) this.#pending.clients.add(clientId)
    for (const clientId of removed) this.#pending.clients.add(clientId)
    return change
  }

  /**
   * Removes the states of a member's clients and tells the room at once. Returns the client ids
   * whose states were removed.
   */
  removeMember(member: Member): readonly number[] {
    const clients = this.#clientsOf.get(member)
    if (!clients) return []
    this.#clientsOf.delete(member)
    for (const clientId of clients) this.#owners.delete(clientId)
    const removal = this.#states.remove(clients)
    if (!removal) return []
    this.#broadcast(removal.update)
    return removal.clientIds
  }

  /** Every known state as one awareness update, or null when there is none. */
  encodeAll(): Uint8Array | null {
    return this.#states.encodeAll()
  }

  #setOwner(clientId: number, member: Member | undefined): void {
    const owner = this.#owners.get(clientId)
    if (owner === member) return
    if (owner) this.#clientsOf.get(owner)?.delete(clientId)
    if (!member) {
      this.#owners.delete(clientId)
      return
    }
    this.#owners.set(clientId, member)
    let clients = this.#clientsOf.get(member)
    if (!clients) this.#clientsOf.set(member, (clients = new Set()))
    clients.add(clientId)
  }

  #relayPending(): void {
    const pending = this.#pending
    if (!pending) return
    this.#pending = null
    const [only] = pending.updates
    this.#broadcast(
      pending.updates.length === 1 && only ? only : this.#states.encode(pending.clients),
    )
  }
}
