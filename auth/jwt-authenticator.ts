// Authenticate with JSON Web Tokens: the server's `Authenticate` seam implemented with jose.
// Imports only jose, server/auth.ts (the seam) and this folder; never the rest of server/.
import { jwtVerify } from 'jose'
import { type Authenticate, refuse } from '../server/auth.js'
import { principalFromClaims } from './claims.js'
import { type KeySourceOptions, loadVerificationKey } from './keys.js'
import { defaultCookieName, readToken } from './token-source.js'
import { refusalForVerifyError } from './verify-refusal.js'

/** Options of createJwtAuthenticator: one key source, and what else a token must say. */
export interface JwtAuthenticatorOptions extends KeySourceOptions {
  /** When given, a token's `iss` must equal it. */
  readonly issuer?: string
  /** When given, a token's `aud` must be or contain it. */
  readonly audience?: string
  /** Cookie holding the token for browsers on a trusted origin; default 'collab_token'. */
  readonly cookieName?: string
}

/**
 * Seconds by which `exp` and `nbf` may be off, so that a server whose clock is slightly behind or
 * ahead of the token issuer's does not refuse fresh tokens.
 */
const clockToleranceSeconds = 5

/**
 * Builds an authenticator that accepts a token from the query, a bearer header or (trusted origins
 * only) a cookie; checks its signature with the one key source, only with that source's
 * algorithms, then `exp`/`nbf` (5 s tolerance), `iss` and `aud` when configured; and turns its
 * claims into a principal (see claims.ts). Refusals are 401 COLLAB_UNAUTHENTICATED, or 503
 * COLLAB_AUTH_UNAVAILABLE when a JWKS URL cannot be fetched; their reasons never quote the token.
 * Rejects with a one-line Error when the key source cannot be loaded.
 */
export async function createJwtAuthenticator(
  options: JwtAuthenticatorOptions,
): Promise<Authenticate> {
  const { key, algorithms } = await loadVerificationKey(options)
  const cookieName = options.cookieName ?? defaultCookieName
  const verifyOptions = {
    algorithms,
    clockTolerance: clockToleranceSeconds,
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  }
  return async (request) => {
    const token = readToken(request, cookieName)
    if (token === undefined) return refuse(401, 'COLLAB_UNAUTHENTICATED', 'no token')
    try {
      const { payload } = await jwtVerify(token, key, verifyOptions)
      return principalFromClaims(payload)
    } catch (error) {
      const refusal = refusalForVerifyError(error, algorithms)
      if (refusal) return refusal
      throw error
    }
  }
}
