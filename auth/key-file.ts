// A public key file for verifying tokens: a PEM public key, or a JWKS (JSON) file of them.
// Imports only jose and node:; each problem becomes one line naming the file and what is wrong.
import { createPublicKey, type KeyObject } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import {
  type CryptoKey,
  createLocalJWKSet,
  importJWK,
  importSPKI,
  type JSONWebKeySet,
  type JWK,
} from 'jose'
import type { VerificationKey } from './verification-key.js'

/** Asymmetric algorithms a key file may hold keys for; tokens signed otherwise are refused. */
const supportedKeys = 'an Ed25519 (EdDSA), P-256 (ES256) or RSA of 2048+ bits (RS256) key'

/** RS256 keys below this are refused; jose would refuse them at every verification instead. */
const minimumRsaBits = 2048

function algorithmOfPem(key: KeyObject): 'EdDSA' | 'ES256' | 'RS256' | undefined {
  const details = key.asymmetricKeyDetails
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA'
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return 'ES256'
  if (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= minimumRsaBits) {
    return 'RS256'
  }
  return undefined
}

async function loadPem(path: string, text: string): Promise<VerificationKey> {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new Error(`${path} holds a private key; give the server only the public key`)
  }
  let key: KeyObject
  try {
    key = createPublicKey(text)
  } catch {
    throw new Error(`${path} is not a readable PEM public key`)
  }
  const algorithm = algorithmOfPem(key)
  if (!algorithm) throw new Error(`${path} holds an unsupported key type; use ${supportedKeys}`)
  // jose imports SPKI only; Node also reads PKCS#1 RSA and certificate PEMs, so re-export.
  const spki = key.export({ type: 'spki', format: 'pem' }).toString()
  return { key: await importSPKI(spki, algorithm), algorithms: [algorithm] }
}

function algorithmOfJwk(jwk: JWK): 'EdDSA' | 'ES256' | 'RS256' | undefined {
  const byType =
    jwk.kty === 'OKP' && jwk.crv === 'Ed25519'
      ? 'EdDSA'
      : jwk.kty === 'EC' && jwk.crv === 'P-256'
        ? 'ES256'
        : jwk.kty === 'RSA'
          ? 'RS256'
          : undefined
  // A key that names its algorithm is only used for it (jose matches `alg` exactly).
  return jwk.alg === undefined || jwk.alg === byType ? byType : undefined
}

function isKeySet(value: unknown): value is JSONWebKeySet {
  const keys = (value as { keys?: unknown } | null)?.keys
  return Array.isArray(keys) && keys.every((key) => typeof key === 'object' && key !== null)
}

async function checkJwk(path: string, jwk: JWK, number: number): Promise<string> {
  const which = `${path}: key ${number}${jwk.kid === undefined ? '' : ` (kid ${jwk.kid})`}`
  if ('d' in jwk || jwk.kty === 'oct') {
    throw new Error(`${which} is a private or secret key; a JWKS file holds public keys only`)
  }
  const algorithm = algorithmOfJwk(jwk)
  if (!algorithm) throw new Error(`${which} is of an unsupported type; use ${supportedKeys}`)
  let key: CryptoKey
  try {
    key = (await importJWK(jwk, algorithm)) as CryptoKey
  } catch (error) {
    throw new Error(`${which} cannot be imported: ${(error as Error).message}`, { cause: error })
  }
  const { modulusLength } = key.algorithm as { modulusLength?: number }
  if (modulusLength !== undefined && modulusLength < minimumRsaBits) {
    throw new Error(`${which} is an RSA key of ${modulusLength} bits; use ${supportedKeys}`)
  }
  return algorithm
}

async function loadJwks(path: string, text: string): Promise<VerificationKey> {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new Error(`${path} is not valid JSON, so not a JWKS file`)
  }
  if (!isKeySet(parsed)) throw new Error(`${path} is not a JWKS: expected {"keys": [...]}`)
  // Keys for encryption cannot verify anything; jose skips them, and so does the check.
  const signing = parsed.keys.filter((jwk) => jwk.use === undefined || jwk.use === 'sig')
  if (signing.length === 0) throw new Error(`${path} holds no signing keys`)
  const algorithms = await Promise.all(signing.map((jwk, index) => checkJwk(path, jwk, index + 1)))
  return { key: createLocalJWKSet(parsed), algorithms: [...new Set(algorithms)] }
}

/**
 * Loads the verification key(s) from `path`: a PEM public key (SPKI, or PKCS#1 for RSA) or a
 * JWKS file. Only Ed25519, P-256 and RSA (2048+ bits) public keys are accepted, and only with
 * their own algorithm. Rejects with a one-line Error naming the file and the problem.
 */
export async function loadKeyFile(path: string): Promise<VerificationKey> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new Error(
      `cannot read the public key file ${path}: ${code ?? (error as Error).message}`,
      {
        cause: error,
      },
    )
  }
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) return loadJwks(path, trimmed)
  if (trimmed.startsWith('-----BEGIN ')) return loadPem(path, trimmed)
  throw new Error(`${path} is neither a PEM public key nor a JWKS (JSON) file`)
}
