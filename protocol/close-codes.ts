// WebSocket close codes the server uses (protocol/README.md §5). No Node or DOM imports.

/** Close codes sent by the server, with the situation each one means. */
export const CloseCode = {
  /** The frame breaks the envelope: truncated varint, unknown sync step, empty frame. */
  protocolError: 1002,
  /** Unknown or unsupported message type, or a text frame. */
  unsupportedData: 1003,
  /** The envelope is fine but its payload is not a valid Yjs update / state vector / awareness update. */
  invalidPayload: 1007,
  /** The connection kept breaking a rule, e.g. setting other connections' awareness states. */
  policyViolation: 1008,
  /** The frame is larger than the server's maximum frame size. */
  messageTooBig: 1009,
  /** The server could not do its part, e.g. the store failed to write the update. */
  internalError: 1011,
  /** The server is restarting or draining: reconnect (a load balancer sends you elsewhere). */
  serviceRestart: 1012,
  /** The connection could not keep up (its send buffer passed the bound); reconnect later. */
  tryAgainLater: 1013,
  /** The credential expired; reconnect with a fresh one. */
  credentialsExpired: 4401,
  /** Access was withdrawn (the user's tokens were revoked). */
  forbidden: 4403,
  /** The document was deleted (DELETE /api/documents/{name}): do not reconnect to it. */
  documentDeleted: 4410,
  /** The update would grow the document past its size limit. */
  documentTooLarge: 4413,
  /** The connection sent more than its message or byte rate allows. */
  rateLimited: 4429,
} as const

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode]

/** WebSocket close reasons must fit in 123 bytes of UTF-8; longer ones are cut. */
export function truncateCloseReason(reason: string): string {
  const maxBytes = 123
  const encoder = new TextEncoder()
  if (encoder.encode(reason).length <= maxBytes) return reason
  let cut = reason
  while (encoder.encode(cut + '…').length > maxBytes) cut = cut.slice(0, -1)
  return cut + '…'
}
