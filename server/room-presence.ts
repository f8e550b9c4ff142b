// The presence side of a room: awareness states, which connection controls which client ID,
// and relaying changes to the room, coalesced per event-loop turn.
import { readAwarenessUpdate } from '../protocol/awareness-codec.js'
import { writeAwareness } from '../protocol/message.js'
import { RoomAwareness } from './room-awareness.js'

/**
 * Presence of one room. `broadcast` sends a frame to every connection of the room. Members are
 * the room's connections, compared by identity.
 */
export class RoomPresence<Member extends object> {
  readonly #states = new RoomAwareness()
  readonly #broadcast: (frame: Uint8Array) => void
  /** Which member controls each client ID, and the reverse. */
  readonly #owners = new Map<number, Member>()
  readonly #clientsOf = new Map<Member, Set<number>>()
  /** Changes received during this event-loop turn, relayed together at its end. */
  #pending: { frames: Uint8Array[]; clients: Set<number> } | null = null

  constructor(broadcast: (frame: Uint8Array) => void) {
    this.#broadcast = broadcast
  }

  /**
   * Applies an awareness update a member sent (`payload`, inside its `frame`). Changes reach the
   * whole room, the sender included, at the end of the event-loop turn: one update is relayed as
   * it came, several are merged into one frame. Throws a CollabError (1007) for a malformed update.
   */
  receive(member: Member, payload: Uint8Array, frame: Uint8Array): void {
    const { present, removed } = this.#states.apply(readAwarenessUpdate(payload))
    for (const clientId of present) this.#setOwner(clientId, member)
    for (const clientId of removed) this.#setOwner(clientId, undefined)
    if (present.length === 0 && removed.length === 0) return
    if (!this.#pending) {
      this.#pending = { frames: [], clients: new Set() }
      setImmediate(() => this.#relayPending())
    }
    this.#pending.frames.push(frame)
    for (const clientId of present) this.#pending.clients.add(clientId)
    for (const clientId of removed) this.#pending.clients.add(clientId)
  }

  /** Removes the states of a member's clients and tells the room at once. */
  removeMember(member: Member): void {
    const clients = this.#clientsOf.get(member)
    if (!clients) return
    this.#clientsOf.delete(member)
    for (const clientId of clients) this.#owners.delete(clientId)
    const removal = this.#states.remove(clients)
    if (removal) this.#broadcast(writeAwareness(removal))
  }

  /** Every known state as one awareness frame, or null when there is none. */
  encodeAll(): Uint8Array | null {
    const states = this.#states.encodeAll()
    return states ? writeAwareness(states) : null
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
    const [only] = pending.frames
    this.#broadcast(
      pending.frames.length === 1 && only
        ? only
        : writeAwareness(this.#states.encode(pending.clients)),
    )
  }
}
