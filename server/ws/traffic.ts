// What the server's connections received and sent, by message type: plain counters bumped on the
// hot path (an array slot each), which metrics read when they are scraped.

/** The message types counted, as metrics label them. */
export const messageTypes = [
  'sync_step1',
  'sync_step2',
  'sync_update',
  'awareness',
  'query_awareness',
  'auth',
  'stored_ack',
] as const

export type MessageType = (typeof messageTypes)[number]

/** The slot of each message kind, as the protocol and rooms name them. */
export const messageSlot = {
  syncStep1: 0,
  syncStep2: 1,
  syncUpdate: 2,
  update: 2,
  awareness: 3,
  queryAwareness: 4,
  auth: 5,
  storedAck: 6,
} as const

export type MessageKind = keyof typeof messageSlot

/** Messages and bytes (whole WebSocket payloads) in each direction, by message type. */
export class Traffic {
  readonly messagesReceived = new Float64Array(messageTypes.length)
  readonly bytesReceived = new Float64Array(messageTypes.length)
  readonly messagesSent = new Float64Array(messageTypes.length)
  readonly bytesSent = new Float64Array(messageTypes.length)

  received(kind: MessageKind, bytes: number): void {
    const slot = messageSlot[kind]
    this.messagesReceived[slot]!++
    this.bytesReceived[slot]! += bytes
  }

  sent(kind: MessageKind, bytes: number): void {
    const slot = messageSlot[kind]
    this.messagesSent[slot]!++
    this.bytesSent[slot]! += bytes
  }
}
