// What the room refused of one awareness update and why: what its log line says and, once the
// sender has been refused too often by its own fault, the error that closes it (1008).
import { CloseCode } from '../../protocol/close-codes.js'
import { CollabError } from '../../protocol/collab-error.js'
import type { RoomAwarenessLimit } from './awareness-states.js'

/**
 * Why an awareness entry was refused: its client id belongs to another connection, the sender
 * owns as many client ids as it may, or the room holds as many states (or bytes) as it may.
 */
export type AwarenessRefusalReason =
  'ownedByAnotherConnection' | 'maxAwarenessClientsPerConnection' | RoomAwarenessLimit

/**
 * The refused update, counting only those refused by the sender's own fault, that closes its
 * connection: the third. One or two can be a client's slip or a race (an unauthenticated client
 * that reconnects from another address before the server has noticed its old connection is dead;
 * from the same address, or as the same user, it takes its ids over: room-presence.ts); a third is
 * a pattern.
 */
export const refusalsBeforeClose = 3

/** How many refused client ids a log line names; a flood of them is counted, not listed. */
const loggedClientIds = 8

/**
 * The entries refused of one awareness update; made only when one is. Setting another
 * connection's client id or passing the per-connection bound are the sender's fault and count as
 * a strike; a full room is not its doing, so those entries are only dropped.
 */
export class AwarenessRefusal {
  /** Refused entries by reason. */
  readonly counts: Partial<Record<AwarenessRefusalReason, number>> = {}
  /** The first refused client ids. */
  readonly clientIds: number[] = []
  /** The sender's strikes so far, this update's included (set by the presence that refused). */
  strikes = 0

  /** Records a refused entry. */
  add(clientId: number, reason: AwarenessRefusalReason): void {
    this.counts[reason] = (this.counts[reason] ?? 0) + 1
    if (this.clientIds.length < loggedClientIds) this.clientIds.push(clientId)
  }

  /** Whether the sender is to blame for this update. */
  get isStrike(): boolean {
    return this.#strikeReason() !== undefined
  }

  /** The error that closes the sender once this strike is its last, else null. */
  closingError(): CollabError | null {
    const reason = this.#strikeReason()
    if (reason === undefined || this.strikes < refusalsBeforeClose) return null
    return new CollabError(
      'COLLAB_AWARENESS_REFUSED',
      CloseCode.policyViolation,
      `closed after ${this.strikes} refused awareness updates: ${reason}`,
    )
  }

  /** What the sender did wrong, as the close reason tells it; undefined when nothing. */
  #strikeReason(): string | undefined {
    if (this.counts.ownedByAnotherConnection) return 'client ids of another connection'
    if (this.counts.maxAwarenessClientsPerConnection) {
      return 'more client ids than a connection may own'
    }
    return undefined
  }
}
