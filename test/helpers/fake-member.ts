// A room member for unit tests of rooms without sockets: it records what its room hands it.
import type { CollabError } from '../../protocol/collab-error.js'
import type { Access } from '../../server/auth.js'
import type { ConnectionOrigin } from '../../server/events.js'
import type { RoomMember, RoomMessage } from '../../server/rooms/room-member.js'

/**
 * A room member that records every message, failure and denial the room gives it, in order.
 * Its principal is `user-<connectionId>` with `access` to every document, from 192.0.2.1.
 */
export class FakeMember implements RoomMember {
  readonly origin: ConnectionOrigin
  readonly delivered: RoomMessage[] = []
  readonly failures: CollabError[] = []
  readonly denials: string[] = []

  constructor(connectionId: number, access: Access = 'write') {
    this.origin = {
      kind: 'connection',
      connectionId,
      principal: { userId: `user-${connectionId}`, access: () => access },
      access,
      clientAddress: '192.0.2.1',
    }
  }

  deliver(message: RoomMessage): void {
    this.delivered.push(message)
  }

  fail(error: CollabError): void {
    this.failures.push(error)
  }

  denyUpdate(reason: string): void {
    this.denials.push(reason)
  }

  /** The payloads of the delivered messages of one kind, in order. */
  received(kind: RoomMessage['kind']): Uint8Array[] {
    return this.delivered.flatMap((message) => {
      if (message.kind !== kind) return []
      return [message.kind === 'syncStep1' ? message.stateVector : message.update]
    })
  }

  /** Forgets what was delivered so far (e.g. the greeting), to look only at what follows. */
  clearDelivered(): void {
    this.delivered.length = 0
  }
}
