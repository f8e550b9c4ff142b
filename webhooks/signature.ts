// Signing webhook calls: X-Collab-Signature carries an HMAC-SHA256 over "<unix seconds>.<raw
// body>", so a receiver that knows the secret can tell our calls from forgeries and replays.
import { createHmac, timingSafeEqual } from 'node:crypto'

const defaultToleranceSeconds = 300

/** Options of `verifySignature`. */
export interface VerifyOptions {
  /** The receiver's clock, in unix seconds; defaults to now. */
  readonly nowSeconds?: number
  /** How old (or how far ahead) a signature may be; defaults to 300 (5 minutes). */
  readonly toleranceSeconds?: number
}

/**
 * The X-Collab-Signature value of `body` sent at `timeSeconds` (unix seconds):
 * `t=<timeSeconds>,v1=<hex HMAC-SHA256 of "<timeSeconds>.<body>" keyed with secret>`.
 */
export function signatureHeader(secret: string, body: string, timeSeconds: number): string {
  return `t=${timeSeconds},v1=${hmacHex(secret, timeSeconds, body)}`
}

/**
 * Whether `header` (an X-Collab-Signature value) signs exactly `body` with `secret` at a time
 * within `toleranceSeconds` of now. Compares in constant time; a malformed header is false.
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  {
    nowSeconds = Math.floor(Date.now() / 1000),
    toleranceSeconds = defaultToleranceSeconds,
  }: VerifyOptions = {},
): boolean {
  const fields = header.split(',').map((field) => field.trim().split('='))
  const timeText = fields.find(([key]) => key === 't')?.[1] ?? ''
  if (!/^\d+$/.test(timeText)) return false
  const timeSeconds = Number(timeText)
  if (Math.abs(nowSeconds - timeSeconds) > toleranceSeconds) return false
  const expected = Buffer.from(hmacHex(secret, timeSeconds, body), 'hex')
  // Several v1 values let a sender sign with an old and a new secret while it rotates them.
  return fields.some(([key, value = '']) => {
    if (key !== 'v1' || !/^[0-9a-f]+$/i.test(value)) return false
    const given = Buffer.from(value, 'hex')
    return given.length === expected.length && timingSafeEqual(given, expected)
  })
}

function hmacHex(secret: string, timeSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timeSeconds}.${body}`).digest('hex')
}
