// What instances send each other on the bus: one Redis pub/sub message per link event, to the
// receiving instance's inbox channel, and announcements to every instance on the broadcast
// channel. Binary: a kind byte, an id (a link's starts with the id of the instance that opened
// it; an announcement's is its sender's), then the payload. Imports nothing.

/** The kinds of message: on a link, and announcements. */
export const EnvelopeKind = { open: 1, frame: 2, close: 3, revoked: 4 } as const
export type EnvelopeKind = (typeof EnvelopeKind)[keyof typeof EnvelopeKind]

export interface Envelope {
  readonly kind: EnvelopeKind
  readonly linkId: string
  readonly payload: Buffer
}

/** Encodes one message. */
export function encodeEnvelope(kind: EnvelopeKind, linkId: string, payload: Uint8Array): Buffer {
  const id = Buffer.from(linkId, 'utf8')
  const head = Buffer.allocUnsafe(3)
  head[0] = kind
  head.writeUInt16BE(id.length, 1)
  return Buffer.concat([head, id, payload])
}

/** Decodes one message; null for bytes that are not one (a foreign publisher on the channel). */
export function decodeEnvelope(message: Buffer): Envelope | null {
  if (message.length < 3) return null
  const kind = message[0] as EnvelopeKind | undefined
  if (kind === undefined || kind < EnvelopeKind.open || kind > EnvelopeKind.revoked) return null
  const idLength = message.readUInt16BE(1)
  if (message.length < 3 + idLength) return null
  return {
    kind,
    linkId: message.toString('utf8', 3, 3 + idLength),
    payload: message.subarray(3 + idLength),
  }
}

/** The id of the instance that opened a link: the part of its id before the last `|`. */
export function linkOpener(linkId: string): string {
  return linkId.slice(0, linkId.lastIndexOf('|'))
}
