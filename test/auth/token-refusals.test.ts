import assert from 'node:assert/strict'
import { test } from 'node:test'
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, UnsecuredJWT } from 'jose'
import { createJwtAuthenticator } from '../../auth/jwt-authenticator.js'
import {
  assertUnauthenticated,
  expectPrincipal,
  expectRefusal,
  nowSeconds,
  secretKey,
  serveJwks,
  signToken,
  withToken,
  writeKeyFile,
} from './jwt-fixtures.js'

const secret = 'refusals-test-secret'
const docs = { 'team-a/*': 'write' }

/** An HS256 token with the test secret and `claims` over a valid sub and docs. */
function hs256(claims: JWTPayload): Promise<string> {
  return signToken({ sub: 'alice', docs, ...claims }, secretKey(secret), 'HS256')
}

/** Claims an authenticator may be configured to require. */
interface ClaimChecks {
  issuer?: string
  audience?: string
}

/** The reason the secret-verifying authenticator (with `options`) refuses `token` for. */
async function reasonFor(token: string, options: ClaimChecks = {}): Promise<string> {
  const authenticate = await createJwtAuthenticator({ secret, ...options })
  const refusal = await expectRefusal(authenticate, withToken(token))
  assertUnauthenticated(refusal, /./)
  return refusal.reason
}

test('an unsigned token (alg none) is refused, with or without a signature part', async () => {
  const unsigned = new UnsecuredJWT({ sub: 'alice', docs }).setIssuedAt().encode()
  for (const token of [unsigned, `${unsigned}c2lnbmF0dXJl`]) {
    assert.equal(await reasonFor(token), 'token is not signed with an accepted algorithm (HS256)')
  }
})

test('a token signed with another secret, or altered after signing, has an invalid signature', async () => {
  const other = await signToken({ sub: 'alice', docs }, secretKey('another-secret'), 'HS256')
  assert.equal(await reasonFor(other), 'token signature is invalid')
  const [header, , signature] = (await hs256({})).split('.')
  const payload = Buffer.from(JSON.stringify({ sub: 'admin', docs: { '*': 'write' } })).toString(
    'base64url',
  )
  assert.equal(await reasonFor(`${header}.${payload}.${signature}`), 'token signature is invalid')
})

test('an HS256 token keyed with the public key is refused by a public-key verifier', async (t) => {
  // Algorithm confusion: a verifier that took the header's alg would use the PEM as an HMAC key.
  const { publicKey } = await generateKeyPair('EdDSA')
  const pem = await exportSPKI(publicKey)
  const forged = await signToken(
    { sub: 'mallory', docs: { '*': 'write' } },
    secretKey(pem),
    'HS256',
  )
  const fromFile = await createJwtAuthenticator({
    publicKeyFile: await writeKeyFile(t, 'k.pem', pem),
  })
  assertUnauthenticated(
    await expectRefusal(fromFile, withToken(forged)),
    'token is not signed with an accepted algorithm (EdDSA)',
  )
  const served = await serveJwks(t, { keys: [await exportJWK(publicKey)] })
  const fromUrl = await createJwtAuthenticator({ jwksUrl: served.url })
  assertUnauthenticated(
    await expectRefusal(fromUrl, withToken(forged)),
    'token is not signed with an accepted algorithm (EdDSA, ES256, RS256)',
  )
  assert.equal(served.requests(), 0, 'the algorithm is refused before any key is fetched')
})

test('an expired token is refused; one expired within the 5 s clock tolerance is not', async () => {
  assert.equal(await reasonFor(await hs256({ exp: nowSeconds() - 60 })), 'token expired')
  const authenticate = await createJwtAuthenticator({ secret })
  await expectPrincipal(authenticate, withToken(await hs256({ exp: nowSeconds() - 2 })))
})

test('a token whose nbf is in the future is not valid yet; within 5 s it is', async () => {
  assert.equal(await reasonFor(await hs256({ nbf: nowSeconds() + 60 })), 'token is not valid yet')
  const authenticate = await createJwtAuthenticator({ secret })
  await expectPrincipal(authenticate, withToken(await hs256({ nbf: nowSeconds() + 2 })))
})

test('a token without a usable sub claim is refused', async () => {
  assert.equal(await reasonFor(await hs256({ sub: undefined })), 'token has no sub claim')
  for (const sub of ['', 42]) {
    assert.equal(
      await reasonFor(await hs256({ sub } as unknown as JWTPayload)),
      'token’s sub claim must be a non-empty string',
    )
  }
})

test('a docs claim that is not an object of pattern → "read" | "write" makes the token malformed', async () => {
  const reason =
    'token’s docs claim must be an object mapping document patterns to "read" or "write"'
  for (const bad of [
    ['team-a/*'],
    'team-a/*',
    null,
    { 'team-a/*': 'admin' },
    { 'team-a/*': 'write', 'team-b/*': true },
    { '': 'read' },
  ]) {
    assert.equal(await reasonFor(await hs256({ docs: bad })), reason, JSON.stringify(bad))
  }
})

test('a name that is not a string, or an admin claim that is not a boolean, is refused', async () => {
  assert.equal(await reasonFor(await hs256({ name: 42 })), 'token’s name claim must be a string')
  assert.equal(
    await reasonFor(await hs256({ admin: 'yes' })),
    'token’s admin claim must be true or false',
  )
})

test('numeric date claims that are not numbers are refused', async () => {
  for (const claim of ['exp', 'nbf', 'iat']) {
    assert.equal(
      await reasonFor(await hs256({ [claim]: 'tomorrow' })),
      `token’s ${claim} claim must be a number`,
    )
  }
})

test('with an issuer configured, a token from another issuer or none is refused', async () => {
  const issuer = 'https://id.example'
  assert.equal(
    await reasonFor(await hs256({ iss: 'https://elsewhere.example' }), { issuer }),
    'token was issued by another issuer',
  )
  assert.equal(await reasonFor(await hs256({}), { issuer }), 'token has no iss claim')
  const authenticate = await createJwtAuthenticator({ secret, issuer })
  await expectPrincipal(authenticate, withToken(await hs256({ iss: issuer })))
})

test('with an audience configured, a token for another audience or none is refused', async () => {
  const audience = 'collab'
  assert.equal(
    await reasonFor(await hs256({ aud: ['billing', 'mail'] }), { audience }),
    'token is meant for another audience',
  )
  assert.equal(await reasonFor(await hs256({}), { audience }), 'token has no aud claim')
  const authenticate = await createJwtAuthenticator({ secret, audience })
  await expectPrincipal(authenticate, withToken(await hs256({ aud: ['billing', 'collab'] })))
})

test('something that is not a JWS at all is a malformed token', async () => {
  for (const token of ['not-a-token', 'a.b.c', 'e30.e30.', '...']) {
    assert.equal(await reasonFor(token), 'token is malformed', token)
  }
})

test('no refusal reason contains the token or any part of it', async () => {
  const sub = 'sub-value-that-must-not-leak'
  const configured = { issuer: 'https://id.example', audience: 'collab' }
  const cases: Array<[token: string, options: ClaimChecks]> = [
    [await hs256({ sub, exp: nowSeconds() - 60 }), {}],
    [await hs256({ sub, nbf: nowSeconds() + 60 }), {}],
    [await hs256({ sub, docs: { 'leaky-pattern/*': 'owner' } }), {}],
    [await hs256({ sub, name: 1234567 }), {}],
    [await hs256({ sub: undefined, name: 'leaky-name' }), {}],
    [await signToken({ sub, docs }, secretKey('another-secret'), 'HS256'), {}],
    [new UnsecuredJWT({ sub, docs }).encode(), {}],
    ['leaky-garbage-token', {}],
    [await hs256({ sub, iss: 'https://leaky-issuer.example', aud: 'collab' }), configured],
    [await hs256({ sub, iss: configured.issuer, aud: 'leaky-audience' }), configured],
  ]
  for (const [token, options] of cases) {
    const reason = await reasonFor(token, options)
    const parts = [token, ...token.split('.'), sub, 'leaky', '1234567'].filter((p) => p !== '')
    for (const part of parts) {
      assert.ok(!reason.includes(part), `reason "${reason}" quotes part of the token`)
    }
  }
})
