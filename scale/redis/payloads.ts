// The JSON payloads of the bus's messages: a link's hello and close, a revocation. What comes off
// the bus is checked before it is used.
import { CloseCode } from '../../protocol/close-codes.js'
import type { LinkHello } from '../../server/index.js'

/** The payload of a link's close. */
export const closePayload = (code: number, reason: string): Buffer =>
  Buffer.from(JSON.stringify({ code, reason }))

/** A close's code and reason; a generic 1012 for one that does not parse. */
export function parseClose(payload: Buffer): { code: number; reason: string } {
  try {
    const { code, reason } = JSON.parse(payload.toString('utf8')) as {
      code?: unknown
      reason?: unknown
    }
    if (typeof code === 'number' && typeof reason === 'string') return { code, reason }
  } catch {
    // Falls through to the generic close below.
  }
  return { code: CloseCode.serviceRestart, reason: 'the link ended; reconnect' }
}

/** The hello of a link, checked: the instances of a cluster trust each other, not their bytes. */
export function parseHello(payload: Buffer): LinkHello | null {
  let value: unknown
  try {
    value = JSON.parse(payload.toString('utf8'))
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const hello = value as Partial<LinkHello>
  const principal = hello.principal
  if (
    typeof hello.document !== 'string' ||
    (hello.access !== 'read' && hello.access !== 'write') ||
    typeof hello.clientAddress !== 'string' ||
    typeof hello.acknowledgesStored !== 'boolean' ||
    typeof principal !== 'object' ||
    principal === null ||
    typeof principal.userId !== 'string'
  ) {
    return null
  }
  return hello as LinkHello
}

/** A revocation announced on the bus, checked. */
export function parseRevocation(payload: Buffer): { userId: string; revokedAtMs: number } | null {
  try {
    const { userId, revokedAtMs } = JSON.parse(payload.toString('utf8')) as {
      userId?: unknown
      revokedAtMs?: unknown
    }
    if (typeof userId === 'string' && typeof revokedAtMs === 'number')
      return { userId, revokedAtMs }
  } catch {
    // Not an announcement this version wrote.
  }
  return null
}
