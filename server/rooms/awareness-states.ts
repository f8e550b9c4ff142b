// The awareness states (presence, cursors) of one room, kept so that joiners get them at once.
// Follows the clock rules of y-protocols/awareness without its per-instance timers.
import { type AwarenessEntry, writeAwarenessUpdate } from '../../protocol/awareness-codec.js'

/**
 * Awareness states of one room, by Yjs client ID. States are kept as the JSON text clients sent
 * (validated on receipt), so relaying and re-encoding never parse them again.
 */
export class AwarenessStates {
  /** Live states. */
  readonly #states = new Map<number, AwarenessEntry>()
  /** Last clock seen per client, including clients whose state was removed. */
  readonly #clocks = new Map<number, number>()

  /** Number of clients with a live state. */
  get size(): number {
    return this.#states.size
  }

  /**
   * Applies entries by the y-protocols rule (a newer clock wins; a removal at the same clock
   * wins) and reports which clients now hold a state and which lost it.
   */
  apply(entries: readonly AwarenessEntry[]): { present: number[]; removed: number[] } {
    const present: number[] = []
    const removed: number[] = []
    for (const entry of entries) {
      const currentClock = this.#clocks.get(entry.clientId) ?? 0
      const isRemoval = entry.stateJson === 'null'
      const isNewer =
        currentClock < entry.clock ||
        (currentClock === entry.clock && isRemoval && this.#states.has(entry.clientId))
      if (!isNewer) continue
      this.#clocks.set(entry.clientId, entry.clock)
      if (isRemoval) {
        this.#states.delete(entry.clientId)
        removed.push(entry.clientId)
      } else {
        this.#states.set(entry.clientId, entry)
        present.push(entry.clientId)
      }
    }
    return { present, removed }
  }

  /** All live states as one awareness update, or null when there are none. */
  encodeAll(): Uint8Array | null {
    return this.#states.size === 0 ? null : writeAwarenessUpdate(this.#states.values())
  }

  /** The current entries of these clients: their state, or a removal at their last clock. */
  encode(clientIds: Iterable<number>): Uint8Array {
    const entries: AwarenessEntry[] = []
    for (const clientId of clientIds) {
      const clock = this.#clocks.get(clientId) ?? 0
      entries.push(this.#states.get(clientId) ?? { clientId, clock, stateJson: 'null' })
    }
    return writeAwarenessUpdate(entries)
  }

  /**
   * Removes the states of these clients (a connection closed) and returns the awareness update
   * that tells the others with the client ids it removes, or null when none of them had a state.
   */
  remove(clientIds: Iterable<number>): { update: Uint8Array; clientIds: number[] } | null {
    const removals: AwarenessEntry[] = []
    for (const clientId of clientIds) {
      if (!this.#states.delete(clientId)) continue
      const clock = (this.#clocks.get(clientId) ?? 0) + 1
      this.#clocks.set(clientId, clock)
      removals.push({ clientId, clock, stateJson: 'null' })
    }
    if (removals.length === 0) return null
    return {
      update: writeAwarenessUpdate(removals),
      clientIds: removals.map((entry) => entry.clientId),
    }
  }
}
