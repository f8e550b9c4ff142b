// A verified token's claims → the principal the server works with, or why the claims are unusable.
// Imports only server/auth.ts and this folder; the signature and exp/nbf are checked before this.
import type { JWTPayload } from 'jose'
import { type Access, type Principal, type Refusal, refuse } from '../server/auth.js'
import { compileDocumentAccess } from './document-patterns.js'

function malformed(reason: string): Refusal {
  return refuse(401, 'COLLAB_UNAUTHENTICATED', reason)
}

function isAccess(value: unknown): value is Access {
  return value === 'read' || value === 'write'
}

/** The `docs` claim when it is an object of pattern → 'read' | 'write'; absent means {}. */
function readDocs(value: unknown): Record<string, Access> | undefined {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const grants: Array<[string, Access]> = []
  for (const [pattern, access] of Object.entries(value)) {
    if (pattern === '' || !isAccess(access)) return undefined
    grants.push([pattern, access])
  }
  // fromEntries defines own properties, so a pattern named __proto__ stays a pattern.
  return Object.fromEntries(grants)
}

/**
 * Builds the principal from claims that jose has already verified: `sub` (required, non-empty),
 * `name` (optional string), `docs` (optional; patterns as in document-patterns.ts, compiled
 * here once per token), `admin` (optional boolean), `exp` and `iat` (seconds → ms). A token
 * without `docs` reaches no document. Reasons name the claim at fault, never its value.
 */
export function principalFromClaims(claims: JWTPayload): Principal | Refusal {
  const { sub, name, docs, admin, exp, iat } = claims
  if (sub === undefined) return malformed('token has no sub claim')
  if (typeof sub !== 'string' || sub === '') {
    return malformed('token’s sub claim must be a non-empty string')
  }
  if (name !== undefined && typeof name !== 'string') {
    return malformed('token’s name claim must be a string')
  }
  if (admin !== undefined && typeof admin !== 'boolean') {
    return malformed('token’s admin claim must be true or false')
  }
  const grants = readDocs(docs)
  if (!grants) {
    return malformed(
      'token’s docs claim must be an object mapping document patterns to "read" or "write"',
    )
  }
  return {
    userId: sub,
    ...(name === undefined ? {} : { name }),
    isAdmin: admin === true,
    ...(exp === undefined ? {} : { expiresAtMs: exp * 1000 }),
    ...(iat === undefined ? {} : { issuedAtMs: iat * 1000 }),
    access: compileDocumentAccess(grants),
  }
}
