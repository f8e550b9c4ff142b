// What a room needs of a connection, and the messages it hands one. Rooms deal in updates and
// awareness payloads; turning them into frames is the transport's job (server/ws/).
import type { CollabError } from '../../protocol/collab-error.js'
import type { ConnectionOrigin } from '../events.js'

/**
 * A message from a room to one or more members. The same object goes to every member of a
 * broadcast, so a transport can encode it once for all of them.
 */
export type RoomMessage =
  | { readonly kind: 'syncStep1'; readonly stateVector: Uint8Array }
  | { readonly kind: 'syncStep2'; readonly update: Uint8Array }
  | { readonly kind: 'update'; readonly update: Uint8Array }
  | { readonly kind: 'awareness'; readonly update: Uint8Array }

/** A member of a room (server/ws/connection.ts implements it; tests use fakes). */
export interface RoomMember {
  /** Who the member is; its changes carry this origin. */
  readonly origin: ConnectionOrigin
  /** Sends a message; a member that cannot keep up closes itself. */
  deliver(message: RoomMessage): void
  /** Ends the member's connection with the error's close code and reason. */
  fail(error: CollabError): void
  /** The room refused an update of this member because its access is read-only. */
  denyUpdate(reason: string): void
}
