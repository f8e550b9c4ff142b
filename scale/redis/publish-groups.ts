// The messages of one turn to one instance, as PUBLISH groups: a frame that a broadcast sent to
// several links of that instance goes once, naming them all. Imports only the envelope kinds.
import { EnvelopeKind } from './envelope.js'

/** A message waiting for the end of the turn, for `end` (a link). */
export interface OutgoingMessage<End> {
  readonly end: End
  readonly kind: EnvelopeKind
  readonly payload: Uint8Array
}

/** Between the link ids of one frame sent to several links (ids hold no newline). */
export const linkIdSeparator = '\n'
/** Links one PUBLISH names at most: their ids (up to 120 bytes each) fit the 16-bit length. */
const maxLinksPerPublish = 500

/** Whether two payloads are the same bytes in memory: one broadcast frame, framed once. */
const isSameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.byteLength === b.byteLength

/**
 * The messages to one instance as PUBLISH groups, in order: a run of frames with the same bytes
 * (a broadcast to several links there) goes as one.
 */
export function groupedForPublish<End>(
  messages: readonly OutgoingMessage<End>[],
): OutgoingMessage<End>[][] {
  const groups: OutgoingMessage<End>[][] = []
  for (const message of messages) {
    const last = groups.at(-1)
    const head = last?.[0]
    const joins =
      head !== undefined &&
      message.kind === EnvelopeKind.frame &&
      head.kind === EnvelopeKind.frame &&
      last!.length < maxLinksPerPublish &&
      isSameBytes(head.payload, message.payload)
    if (joins) last!.push(message)
    else groups.push([message])
  }
  return groups
}
