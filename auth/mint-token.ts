// Mints HS256 tokens that createJwtAuthenticator (with the same secret) accepts.
// Also reads the command line's `--expires 1h` and `--docs 'team-a/*=write'`. Imports only jose
// and types from server/auth.ts; used by the `token` command and by tests.
import { SignJWT } from 'jose'
import type { Access } from '../server/auth.js'

/** What a minted token says. */
export interface MintTokenOptions {
  /** The shared secret the server verifies with; its UTF-8 bytes are the HS256 key. */
  readonly secret: string
  /** The user id (`sub`). */
  readonly sub: string
  /** Display name (`name`). */
  readonly name?: string
  /** Document patterns and what the holder may do with matching documents (`docs`). */
  readonly docs: Readonly<Record<string, Access>>
  /** Adds `admin: true`: server-wide operations. */
  readonly admin?: boolean
  /** Lifetime from now; default one hour. */
  readonly expiresInSeconds?: number
}

const defaultLifetimeSeconds = 3600

/**
 * Signs a compact JWS (HS256) with `sub`, `name`, `docs`, `admin` (only when true), `iat` (now)
 * and `exp` (now + expiresInSeconds). Throws RangeError for an empty secret or sub, or a
 * lifetime that is not a positive whole number of seconds.
 */
export async function mintToken(options: MintTokenOptions): Promise<string> {
  const { secret, sub, name, docs, admin, expiresInSeconds = defaultLifetimeSeconds } = options
  if (secret === '') throw new RangeError('the secret is empty')
  if (sub === '') throw new RangeError('the sub (user id) is empty')
  if (!Number.isSafeInteger(expiresInSeconds) || expiresInSeconds < 1) {
    throw new RangeError('the lifetime must be a whole number of seconds, at least 1')
  }
  const issuedAt = Math.floor(Date.now() / 1000)
  return new SignJWT({
    docs,
    ...(name === undefined ? {} : { name }),
    ...(admin === true ? { admin: true } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + expiresInSeconds)
    .sign(new TextEncoder().encode(secret))
}

const secondsPerUnit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 }

/** Reads a lifetime such as `30s`, `15m`, `1h` or `7d` as seconds; throws RangeError otherwise. */
export function parseDurationSeconds(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim())
  const seconds = match ? Number(match[1]) * (secondsPerUnit[match[2] ?? ''] ?? 0) : 0
  if (!Number.isSafeInteger(seconds) || seconds < 1) {
    throw new RangeError('expected a duration such as 30s, 15m, 1h or 7d')
  }
  return seconds
}

/**
 * Reads `pattern=read` / `pattern=write` entries (one per `--docs`) into a `docs` claim. The
 * access follows the last `=`, so a pattern may itself contain `=`. Throws RangeError naming
 * the first bad entry, or a pattern given twice with different access.
 */
export function parseDocsEntries(entries: readonly string[]): Record<string, Access> {
  const docs = new Map<string, Access>()
  for (const entry of entries) {
    const separator = entry.lastIndexOf('=')
    const pattern = entry.slice(0, Math.max(separator, 0))
    const access = entry.slice(separator + 1)
    if (separator < 1 || (access !== 'read' && access !== 'write')) {
      throw new RangeError(`'${entry}' is not pattern=read or pattern=write, e.g. 'team-a/*=write'`)
    }
    const earlier = docs.get(pattern)
    if (earlier !== undefined && earlier !== access) {
      throw new RangeError(`'${pattern}' is given both read and write access`)
    }
    docs.set(pattern, access)
  }
  return Object.fromEntries(docs)
}
