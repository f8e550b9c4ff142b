// The last updates hostile connections sent to each document, so that an update a bystander
// cannot apply is pinned on the burst and frame that sent it.
import { readClientMessage } from '../protocol/message.js'
import type { PlannedFrame } from './burst.js'
import type { FailureRecord } from './report.js'

/** Where an update came from. */
export interface UpdateSource {
  readonly burst: string
  readonly frame: PlannedFrame
}

const keptPerRoom = 256
const hexBytes = 64

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((byte, i) => byte === b[i])

/** A bounded ring of sent updates per room. */
export class RecentUpdates {
  readonly #rooms = new Map<string, Array<UpdateSource & { update: Uint8Array }>>()

  /** Remembers the updates among `frames`, sent by burst `burst` to `room`. */
  record(room: string, burst: string, frames: readonly PlannedFrame[]): void {
    let ring = this.#rooms.get(room)
    if (!ring) this.#rooms.set(room, (ring = []))
    for (const frame of frames) {
      if (typeof frame.frame === 'string' || frame.expectation.outcome === 'closed') continue
      let update: Uint8Array
      try {
        const message = readClientMessage(frame.frame)
        if (message.kind !== 'syncStep2' && message.kind !== 'syncUpdate') continue
        update = message.update
      } catch {
        continue
      }
      ring.push({ burst, frame, update })
      if (ring.length > keptPerRoom) ring.shift()
    }
  }

  /** The latest burst and frame that sent `update` to `room`, if still remembered. */
  find(room: string, update: Uint8Array): UpdateSource | undefined {
    const ring = this.#rooms.get(room) ?? []
    for (let i = ring.length - 1; i >= 0; i--) {
      const entry = ring[i]!
      if (sameBytes(entry.update, update)) return entry
    }
    return undefined
  }

  /**
   * The failure for an update the server relayed to `room` that a bystander's Y.Doc could not
   * apply: the server accepted a frame it should have closed with 1007. Pinned on the burst that
   * sent it, when still remembered.
   */
  unappliedFailure(room: string, update: Uint8Array, error: Error): FailureRecord {
    const source = this.find(room, update)
    const hex = Buffer.from(update.subarray(0, hexBytes)).toString('hex')
    return {
      kind: 'relayed update does not apply',
      room,
      burst: source?.burst,
      frame: source?.frame,
      detail: source
        ? `a bystander's Y.Doc threw "${error.message}"`
        : `a bystander's Y.Doc threw "${error.message}" on ${update.length} bytes: ${hex}`,
    }
  }
}
