// Shared pieces of the JWT tests: requests as the server hands them over, signed tokens, key files
// and a JWKS served over real HTTP on loopback. Real jose and real keys; nothing is mocked.
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { type CryptoKey, type JWTPayload, SignJWT } from 'jose'
import {
  type Authenticate,
  type AuthRequest,
  isRefusal,
  type Principal,
  type Refusal,
} from '../../server/auth.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { makeTempDir } from '../helpers/tmp-dir.js'

/** What a test request carries; everything is optional. */
export interface RequestParts {
  /** The query string, with its `?`. */
  query?: string
  headers?: Record<string, string>
  isTrustedOrigin?: boolean
}

/** An upgrade request for document `notes` as the server passes it to `authenticate`. */
export function authRequest({
  query = '',
  headers = {},
  isTrustedOrigin = false,
}: RequestParts = {}): AuthRequest {
  return {
    url: new URL(`ws://127.0.0.1:1234/notes${query}`),
    headers: new Headers(headers),
    remoteAddress: '127.0.0.1',
    isTrustedOrigin,
  }
}

/** A request carrying `token` as the `token` query parameter. */
export function withToken(token: string): AuthRequest {
  return authRequest({ query: `?token=${encodeURIComponent(token)}` })
}

/** Now, in the seconds of `exp`, `nbf` and `iat`. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

/** Signs `claims` as a compact JWS; `iat` now and `exp` in an hour unless `claims` set them. */
export function signToken(
  claims: JWTPayload,
  key: CryptoKey | Uint8Array,
  alg: string,
  kid?: string,
): Promise<string> {
  return new SignJWT({ iat: nowSeconds(), exp: nowSeconds() + 3600, ...claims })
    .setProtectedHeader({ alg, ...(kid === undefined ? {} : { kid }) })
    .sign(key)
}

/** The key an HS256 verifier with `secret` uses: its UTF-8 bytes. */
export function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret)
}

/** Writes `text` to a file `name` in a directory removed after the test. */
export async function writeKeyFile(t: TestContext, name: string, text: string): Promise<string> {
  const path = join(await makeTempDir(t, 'collab-auth-'), name)
  await writeFile(path, text)
  return path
}

/** A JWKS (or any body) served on 127.0.0.1 port 0 for the length of a test, requests counted. */
export interface ServedKeys {
  readonly url: string
  /** Requests the server has answered so far. */
  readonly requests: () => number
}

/** Serves `body` as JSON with `status` at /.well-known/jwks.json; closed after the test. */
export async function serveJwks(t: TestContext, body: unknown, status = 200): Promise<ServedKeys> {
  let requests = 0
  const server = createServer((_request, response) => {
    requests++
    response.writeHead(status, { 'content-type': 'application/json' })
    response.end(JSON.stringify(body))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  deferCleanup(t, () => {
    // fetch keeps its connection alive; close() alone would wait for it to time out.
    server.closeAllConnections()
    return new Promise((resolve) => server.close(resolve))
  })
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/.well-known/jwks.json`, requests: () => requests }
}

/** Authenticates `request` and asserts that the result is a principal. */
export async function expectPrincipal(
  authenticate: Authenticate,
  request: AuthRequest,
): Promise<Principal> {
  const result = await authenticate(request)
  assert.ok(!isRefusal(result), `expected a principal, got a refusal: ${JSON.stringify(result)}`)
  return result
}

/** Authenticates `request` and asserts that the result is a refusal. */
export async function expectRefusal(
  authenticate: Authenticate,
  request: AuthRequest,
): Promise<Refusal> {
  const result = await authenticate(request)
  assert.ok(isRefusal(result), 'expected a refusal, got a principal')
  return result
}

/** Asserts that `refusal` is the 401 every token problem gets, with `reason` (or matching it). */
export function assertUnauthenticated(refusal: Refusal, reason: string | RegExp): void {
  assert.equal(refusal.status, 401)
  assert.equal(refusal.error, 'COLLAB_UNAUTHENTICATED')
  if (typeof reason === 'string') assert.equal(refusal.reason, reason)
  else assert.match(refusal.reason, reason)
}
