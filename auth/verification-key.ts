// What verifying a token needs from a key source: the key, or a resolver, and its algorithms.
// Types only; imports nothing but jose's types.
import type { CryptoKey, JWTVerifyGetKey } from 'jose'

/**
 * A loaded key source. `algorithms` is the whole allow-list given to jwtVerify: a token whose
 * header names any other algorithm (`none`, or HS256 against a public key) is refused before
 * the key is used.
 */
export interface VerificationKey {
  readonly key: CryptoKey | Uint8Array | JWTVerifyGetKey
  readonly algorithms: string[]
}
