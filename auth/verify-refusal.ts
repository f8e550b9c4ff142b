// Why jose refused a token, as a refusal a person can act on. Reasons are fixed texts: they never
// quote the token, its header or its claims. Imports only jose, server/auth.ts and this folder.
import { errors } from 'jose'
import { type Refusal, refuse } from '../server/auth.js'
import { KeysUnavailableError } from './keys.js'

function unauthenticated(reason: string): Refusal {
  return refuse(401, 'COLLAB_UNAUTHENTICATED', reason)
}

/** Reasons for a failed claim check, by claim; jose names the claim, never quotes its value. */
function claimReason(failure: errors.JWTClaimValidationFailed): string {
  const isMissing = failure.reason === 'missing'
  switch (failure.claim) {
    case 'nbf':
      return failure.reason === 'invalid'
        ? 'token’s nbf claim must be a number'
        : 'token is not valid yet'
    case 'iss':
      return isMissing ? 'token has no iss claim' : 'token was issued by another issuer'
    case 'aud':
      return isMissing ? 'token has no aud claim' : 'token is meant for another audience'
    case 'exp':
      return 'token’s exp claim must be a number'
    case 'iat':
      return 'token’s iat claim must be a number'
    default:
      return 'token is malformed'
  }
}

/**
 * The refusal for an error from jwtVerify, or undefined when the error is not about the token or
 * its keys (a bug, to be answered with 500). `algorithms` is the verifier's allow-list, named
 * when a token uses another algorithm.
 */
export function refusalForVerifyError(
  error: unknown,
  algorithms: readonly string[],
): Refusal | undefined {
  if (error instanceof KeysUnavailableError) {
    return refuse(
      503,
      'COLLAB_AUTH_UNAVAILABLE',
      'the identity provider’s keys cannot be fetched; try again later',
    )
  }
  if (error instanceof errors.JWTExpired) return unauthenticated('token expired')
  if (error instanceof errors.JWTClaimValidationFailed) {
    return unauthenticated(claimReason(error))
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return unauthenticated('token signature is invalid')
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return unauthenticated(
      `token is not signed with an accepted algorithm (${algorithms.join(', ')})`,
    )
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return unauthenticated('token is signed with a key this server does not know')
  }
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return unauthenticated('token names no key (kid) and several keys could have signed it')
  }
  // Not a JWS, bad base64url or JSON, an unencoded payload: the token as a whole is unusable.
  if (error instanceof errors.JOSEError) return unauthenticated('token is malformed')
  return undefined
}
