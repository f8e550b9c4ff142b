// The one key source tokens are verified with: a shared secret, a key file, or a JWKS URL.
// Imports only jose and this folder; problems are one-line Errors the CLI can print and exit 2 on.
import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose'
import { loadKeyFile } from './key-file.js'
import type { VerificationKey } from './verification-key.js'

/** Where the verification keys come from; exactly one must be given. */
export interface KeySourceOptions {
  /** A shared secret for HS256; the key is the string's UTF-8 bytes. */
  readonly secret?: string
  /** A PEM public key (Ed25519, P-256, RSA) or a JWKS JSON file of them. */
  readonly publicKeyFile?: string
  /**
   * An identity provider's key set (https, or http on loopback). Fetched on first use, kept
   * for 10 minutes, fetched again sooner (at most every 30 s) when a token names an unknown
   * key; a fetch gives up after 5 s. These are jose's createRemoteJWKSet defaults.
   */
  readonly jwksUrl?: string | URL
}

/** Algorithms an identity provider's keys may sign with. */
const remoteAlgorithms = ['EdDSA', 'ES256', 'RS256']

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Thrown by a JWKS URL's key resolver when the key set cannot be fetched (refused, timed out,
 * not 200, not a JWKS). jose lets a resolver fail only by throwing; the authenticator turns
 * this into a 503 refusal, while every other error is about the token.
 */
export class KeysUnavailableError extends Error {
  override readonly name = 'KeysUnavailableError'
}

function parseJwksUrl(value: string | URL): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error('the JWKS URL is not a valid URL')
  }
  // Keys fetched over plain HTTP could be swapped on the way, and then any token verifies.
  const isSafe =
    url.protocol === 'https:' || (url.protocol === 'http:' && loopbackHosts.has(url.hostname))
  if (!isSafe) throw new Error(`the JWKS URL ${url.origin} must use https (http only on loopback)`)
  return url
}

function remoteKeySet(url: URL): JWTVerifyGetKey {
  const keySet = createRemoteJWKSet(url)
  return async (header, token) => {
    try {
      return await keySet(header, token)
    } catch (error) {
      // No key, or several, for the token's kid/alg: the token's problem, answered with 401.
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSENotSupported
      ) {
        throw error
      }
      throw new KeysUnavailableError('the identity provider’s keys cannot be fetched', {
        cause: error,
      })
    }
  }
}

/**
 * Loads the one key source in `options`. Rejects with a one-line Error when none or several
 * are given, the secret is empty, the URL is unusable, or the key file is (see loadKeyFile).
 */
export async function loadVerificationKey(options: KeySourceOptions): Promise<VerificationKey> {
  const { secret, publicKeyFile, jwksUrl } = options
  const given = [secret, publicKeyFile, jwksUrl].filter((source) => source !== undefined).length
  if (given > 1) {
    throw new Error(
      `give only one JWT key source (secret, public key file or JWKS URL); ${given} given`,
    )
  }
  if (secret !== undefined) {
    if (secret === '') throw new Error('the JWT secret is empty')
    // Imported once: given raw bytes, jose imports the key again for every token.
    const key = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    )
    return { key, algorithms: ['HS256'] }
  }
  if (publicKeyFile !== undefined) return loadKeyFile(publicKeyFile)
  if (jwksUrl !== undefined) {
    return { key: remoteKeySet(parseJwksUrl(jwksUrl)), algorithms: remoteAlgorithms }
  }
  throw new Error('no JWT key source: give a secret, a public key file or a JWKS URL')
}
