// Which member owns each awareness client id of a room: the member that first announced it while
// no member owned it, until that member leaves or another takes it over. Knows nothing of states
// or connections.

const noClients: ReadonlySet<number> = new Set()

/**
 * Owners of a room's awareness client ids, with at most `maxClientsPerMember` ids per member.
 * A member keeps an id after removing its state, so that announcing and removing new ids cannot
 * bypass the bound. Members are compared by identity.
 */
export class AwarenessOwners<Member extends object> {
  readonly #maxClientsPerMember: number
  readonly #owners = new Map<number, Member>()
  readonly #clientsOf = new Map<Member, Set<number>>()

  constructor(maxClientsPerMember: number) {
    this.#maxClientsPerMember = maxClientsPerMember
  }

  /** The member that owns a client id, or undefined when the id is free. */
  ownerOf(clientId: number): Member | undefined {
    return this.#owners.get(clientId)
  }

  /** Whether a member may claim one more client id. */
  hasRoomFor(member: Member): boolean {
    return (this.#clientsOf.get(member)?.size ?? 0) < this.#maxClientsPerMember
  }

  /**
   * Gives a client id to a member (see `hasRoomFor`): a free one, or one its owner loses to the
   * member (a takeover; the owner keeps its other ids).
   */
  claim(clientId: number, member: Member): void {
    const previous = this.#owners.get(clientId)
    if (previous) this.#clientsOf.get(previous)?.delete(clientId)
    this.#owners.set(clientId, member)
    let clients = this.#clientsOf.get(member)
    if (!clients) this.#clientsOf.set(member, (clients = new Set()))
    clients.add(clientId)
  }

  /** The client ids a member owns now (none when it owns none). */
  clientsOf(member: Member): ReadonlySet<number> {
    return this.#clientsOf.get(member) ?? noClients
  }

  /** Frees every client id of a member and returns them, or undefined when it owned none. */
  release(member: Member): ReadonlySet<number> | undefined {
    const clients = this.#clientsOf.get(member)
    if (!clients) return undefined
    this.#clientsOf.delete(member)
    for (const clientId of clients) this.#owners.delete(clientId)
    return clients
  }
}
