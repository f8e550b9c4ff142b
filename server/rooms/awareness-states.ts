// The awareness states (presence, cursors) of one room, kept so that joiners get them at once.
// Follows the clock rules of y-protocols/awareness without its per-instance timers, and bounds
// how many states the room holds and how large they are together. Knows nothing of connections.
import { type AwarenessEntry, writeAwarenessUpdate } from '../../protocol/awareness-codec.js'
import type { ServerLimits } from '../options.js'

/** The room-wide bounds on awareness states. */
export type AwarenessStatesLimits = Pick<
  ServerLimits,
  'maxAwarenessStatesPerRoom' | 'maxRoomAwarenessBytes'
>

/** The room limit a state would pass. */
export type RoomAwarenessLimit = keyof AwarenessStatesLimits

/**
 * Awareness states of one room, by Yjs client ID. States are kept as the JSON text clients sent
 * (validated on receipt), so relaying and re-encoding never parse them again. A state's size is
 * the length of that text.
 */
export class AwarenessStates {
  readonly #limits: AwarenessStatesLimits
  /** Live states. */
  readonly #states = new Map<number, AwarenessEntry>()
  /** Last clock seen per client, including clients whose state was removed. */
  readonly #clocks = new Map<number, number>()
  /** Total length of the live states' JSON text. */
  #bytes = 0

  constructor(limits: AwarenessStatesLimits) {
    this.#limits = limits
  }

  /** Number of clients with a live state. */
  get size(): number {
    return this.#states.size
  }

  /** The JSON text of a client's live state; undefined when it has none. */
  stateJsonOf(clientId: number): string | undefined {
    return this.#states.get(clientId)?.stateJson
  }

  /** The last clock seen for a client; 0 for one never seen. */
  clockOf(clientId: number): number {
    return this.#clocks.get(clientId) ?? 0
  }

  /**
   * Whether an entry would change the room by the y-protocols rule: a newer clock wins, and a
   * removal wins at an equal clock over a live state.
   */
  isNewer(entry: AwarenessEntry): boolean {
    const clock = this.clockOf(entry.clientId)
    return (
      clock < entry.clock ||
      (clock === entry.clock && entry.stateJson === 'null' && this.#states.has(entry.clientId))
    )
  }

  /** The room limit that setting this state would pass, or null when it fits (removals do). */
  exceededLimit(entry: AwarenessEntry): RoomAwarenessLimit | null {
    if (entry.stateJson === 'null') return null
    const current = this.#states.get(entry.clientId)
    if (!current && this.#states.size >= this.#limits.maxAwarenessStatesPerRoom) {
      return 'maxAwarenessStatesPerRoom'
    }
    const bytes = this.#bytes - (current?.stateJson.length ?? 0) + entry.stateJson.length
    return bytes > this.#limits.maxRoomAwarenessBytes ? 'maxRoomAwarenessBytes' : null
  }

  /**
   * Applies an entry the caller has found newer and within the limits. Returns true when its
   * client now holds a state, false when the entry removed it.
   */
  apply(entry: AwarenessEntry): boolean {
    const { clientId } = entry
    this.#clocks.set(clientId, entry.clock)
    this.#bytes -= this.#states.get(clientId)?.stateJson.length ?? 0
    if (entry.stateJson === 'null') {
      this.#states.delete(clientId)
      return false
    }
    this.#states.set(clientId, entry)
    this.#bytes += entry.stateJson.length
    return true
  }

  /** All live states as one awareness update, or null when there are none. */
  encodeAll(): Uint8Array | null {
    return this.#states.size === 0 ? null : writeAwarenessUpdate(this.#states.values())
  }

  /** The current entries of these clients: their state, or a removal at their last clock. */
  encode(clientIds: Iterable<number>): Uint8Array {
    const entries: AwarenessEntry[] = []
    for (const clientId of clientIds) {
      const clock = this.clockOf(clientId)
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
      if (!this.#states.has(clientId)) continue
      const removal = { clientId, clock: this.clockOf(clientId) + 1, stateJson: 'null' }
      this.apply(removal)
      removals.push(removal)
    }
    if (removals.length === 0) return null
    return {
      update: writeAwarenessUpdate(removals),
      clientIds: removals.map((entry) => entry.clientId),
    }
  }
}
