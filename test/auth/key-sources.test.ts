import assert from 'node:assert/strict'
import { generateKeyPairSync, KeyObject } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, generateSecret } from 'jose'
import {
  createJwtAuthenticator,
  type JwtAuthenticatorOptions,
} from '../../auth/jwt-authenticator.js'
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

const claims = { sub: 'alice', name: 'Alice', docs: { 'team-a/*': 'write' } }

test('an HS256 token signed with the secret gives the principal its claims describe', async () => {
  const authenticate = await createJwtAuthenticator({ secret: 'shared-secret' })
  const issuedAt = nowSeconds() - 10
  const token = await signToken(
    { ...claims, admin: true, iat: issuedAt, exp: issuedAt + 600 },
    secretKey('shared-secret'),
    'HS256',
  )
  const principal = await expectPrincipal(authenticate, withToken(token))
  assert.equal(principal.userId, 'alice')
  assert.equal(principal.name, 'Alice')
  assert.equal(principal.isAdmin, true)
  assert.equal(principal.issuedAtMs, issuedAt * 1000)
  assert.equal(principal.expiresAtMs, (issuedAt + 600) * 1000)
  assert.equal(principal.access('team-a/plan'), 'write')
  assert.equal(principal.access('team-b/plan'), null)
})

test('a docs pattern named __proto__ is a pattern like any other', async () => {
  const authenticate = await createJwtAuthenticator({ secret: 'shared-secret' })
  const docs = JSON.parse('{"__proto__": "write"}') as Record<string, string>
  const token = await signToken({ sub: 'alice', docs }, secretKey('shared-secret'), 'HS256')
  const principal = await expectPrincipal(authenticate, withToken(token))
  assert.equal(principal.access('__proto__'), 'write')
  assert.equal(principal.access('toString'), null)
})

test('a token without admin, name or iat gives a plain principal', async () => {
  const authenticate = await createJwtAuthenticator({ secret: 'shared-secret' })
  const token = await signToken({ sub: 'bob', iat: undefined }, secretKey('shared-secret'), 'HS256')
  const principal = await expectPrincipal(authenticate, withToken(token))
  assert.equal(principal.isAdmin, false)
  assert.equal(principal.name, undefined)
  assert.equal(principal.issuedAtMs, undefined)
  assert.equal(principal.access('anything'), null, 'no docs claim: no document')
})

for (const alg of ['EdDSA', 'ES256', 'RS256']) {
  test(`an ${alg} token verifies against its PEM public key file`, async (t) => {
    const { publicKey, privateKey } = await generateKeyPair(alg)
    const path = await writeKeyFile(t, 'public.pem', await exportSPKI(publicKey))
    const authenticate = await createJwtAuthenticator({ publicKeyFile: path })
    const token = await signToken(claims, privateKey, alg)
    assert.equal((await expectPrincipal(authenticate, withToken(token))).userId, 'alice')
  })
}

test('an RSA public key in PKCS#1 PEM ("BEGIN RSA PUBLIC KEY") is read too', async (t) => {
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  const pkcs1 = KeyObject.from(publicKey).export({ type: 'pkcs1', format: 'pem' }).toString()
  const path = await writeKeyFile(t, 'rsa.pem', pkcs1)
  const authenticate = await createJwtAuthenticator({ publicKeyFile: path })
  const token = await signToken(claims, privateKey, 'RS256')
  assert.equal((await expectPrincipal(authenticate, withToken(token))).userId, 'alice')
})

test('a JWKS file verifies tokens from each of its keys, chosen by kid', async (t) => {
  const ed = await generateKeyPair('EdDSA')
  const ec = await generateKeyPair('ES256')
  const jwks = {
    keys: [
      { ...(await exportJWK(ed.publicKey)), kid: 'ed-1' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', use: 'sig' },
    ],
  }
  const path = await writeKeyFile(t, 'jwks.json', JSON.stringify(jwks))
  const authenticate = await createJwtAuthenticator({ publicKeyFile: path })
  for (const [pair, alg, kid] of [
    [ed, 'EdDSA', 'ed-1'],
    [ec, 'ES256', 'ec-1'],
  ] as const) {
    const token = await signToken({ ...claims, sub: kid }, pair.privateKey, alg, kid)
    assert.equal((await expectPrincipal(authenticate, withToken(token))).userId, kid)
  }
  const unknownKid = await signToken(claims, ed.privateKey, 'EdDSA', 'ed-2')
  assertUnauthenticated(
    await expectRefusal(authenticate, withToken(unknownKid)),
    'token is signed with a key this server does not know',
  )
})

test('a JWKS URL is fetched once and its keys are cached for later tokens', async (t) => {
  const { publicKey, privateKey } = await generateKeyPair('ES256')
  const served = await serveJwks(t, { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] })
  const authenticate = await createJwtAuthenticator({ jwksUrl: served.url })
  assert.equal(served.requests(), 0, 'nothing is fetched before the first token')
  for (const sub of ['alice', 'bob', 'carol']) {
    const token = await signToken({ ...claims, sub }, privateKey, 'ES256', 'k1')
    assert.equal((await expectPrincipal(authenticate, withToken(token))).userId, sub)
  }
  assert.equal(served.requests(), 1)
})

test('a token naming a key the JWKS URL lacks is refused without fetching again at once', async (t) => {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA')
  const served = await serveJwks(t, { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] })
  const authenticate = await createJwtAuthenticator({ jwksUrl: served.url })
  const known = await signToken(claims, privateKey, 'EdDSA', 'k1')
  await expectPrincipal(authenticate, withToken(known))
  const other = await generateKeyPair('EdDSA')
  for (let attempt = 0; attempt < 3; attempt++) {
    const unknown = await signToken(claims, other.privateKey, 'EdDSA', 'k2')
    assertUnauthenticated(
      await expectRefusal(authenticate, withToken(unknown)),
      'token is signed with a key this server does not know',
    )
  }
  assert.equal(served.requests(), 1, 'unknown keys wait for the cooldown before a refetch')
})

test('a JWKS URL that cannot be fetched gives 503 COLLAB_AUTH_UNAVAILABLE', async (t) => {
  const { privateKey } = await generateKeyPair('ES256')
  const token = await signToken(claims, privateKey, 'ES256', 'k1')
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const { port } = closed.address() as AddressInfo
  await new Promise((resolve) => closed.close(resolve))
  const failing = [
    `http://127.0.0.1:${port}/jwks.json`,
    (await serveJwks(t, { error: 'down' }, 500)).url,
    (await serveJwks(t, { hello: 'not a key set' })).url,
  ]
  for (const jwksUrl of failing) {
    const authenticate = await createJwtAuthenticator({ jwksUrl })
    const refusal = await expectRefusal(authenticate, withToken(token))
    assert.deepEqual(
      { status: refusal.status, error: refusal.error, reason: refusal.reason },
      {
        status: 503,
        error: 'COLLAB_AUTH_UNAVAILABLE',
        reason: 'the identity provider’s keys cannot be fetched; try again later',
      },
      jwksUrl,
    )
  }
})

/** Asserts that loading the authenticator fails with one line matching `message`. */
async function assertLoadFails(options: JwtAuthenticatorOptions, message: RegExp): Promise<void> {
  await assert.rejects(createJwtAuthenticator(options), (error: unknown) => {
    assert.ok(error instanceof Error)
    assert.match(error.message, message)
    assert.doesNotMatch(error.message, /\n/, 'one line')
    return true
  })
}

test('exactly one key source must be given', async () => {
  await assertLoadFails({}, /^no JWT key source: give a secret, a public key file or a JWKS URL$/)
  await assertLoadFails(
    { secret: 's', jwksUrl: 'https://id.example/jwks.json' },
    /^give only one JWT key source .*; 2 given$/,
  )
  await assertLoadFails({ secret: '' }, /^the JWT secret is empty$/)
})

test('a public key file that is missing or holds no usable public key is named in the error', async (t) => {
  const missing = '/nonexistent/collab/public.pem'
  await assertLoadFails(
    { publicKeyFile: missing },
    /^cannot read the public key file \/nonexistent\/collab\/public\.pem: ENOENT$/,
  )
  const text = await writeKeyFile(t, 'notes.txt', 'hello')
  await assertLoadFails(
    { publicKeyFile: text },
    /notes\.txt is neither a PEM public key nor a JWKS/,
  )
  const badPem = await writeKeyFile(
    t,
    'bad.pem',
    '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
  )
  await assertLoadFails({ publicKeyFile: badPem }, /bad\.pem is not a readable PEM public key$/)
  const badJson = await writeKeyFile(t, 'bad.json', '{ "keys": [')
  await assertLoadFails({ publicKeyFile: badJson }, /bad\.json is not valid JSON/)
  const notJwks = await writeKeyFile(t, 'other.json', '{ "kty": "EC" }')
  await assertLoadFails({ publicKeyFile: notJwks }, /other\.json is not a JWKS: expected \{"keys"/)
})

test('a key of an unsupported type or size is refused when loading', async (t) => {
  const p384 = await generateKeyPair('ES384')
  const pem = await writeKeyFile(t, 'p384.pem', await exportSPKI(p384.publicKey))
  await assertLoadFails(
    { publicKeyFile: pem },
    /p384\.pem holds an unsupported key type; use an Ed25519/,
  )
  const jwks = await writeKeyFile(
    t,
    'p384.json',
    JSON.stringify({ keys: [{ ...(await exportJWK(p384.publicKey)), kid: 'p384' }] }),
  )
  await assertLoadFails(
    { publicKeyFile: jwks },
    /p384\.json: key 1 \(kid p384\) is of an unsupported type/,
  )
  const ed = await generateKeyPair('EdDSA')
  const mislabelled = await writeKeyFile(
    t,
    'mislabelled.json',
    JSON.stringify({ keys: [{ ...(await exportJWK(ed.publicKey)), alg: 'ES256' }] }),
  )
  await assertLoadFails({ publicKeyFile: mislabelled }, /key 1 is of an unsupported type/)
  // jose will not generate RSA keys below 2048 bits, so Node makes this one.
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey
  const smallPem = await writeKeyFile(
    t,
    'rsa1024.pem',
    small.export({ type: 'spki', format: 'pem' }).toString(),
  )
  await assertLoadFails({ publicKeyFile: smallPem }, /rsa1024\.pem holds an unsupported key type/)
  const smallJwks = await writeKeyFile(
    t,
    'rsa1024.json',
    JSON.stringify({ keys: [small.export({ format: 'jwk' })] }),
  )
  await assertLoadFails(
    { publicKeyFile: smallJwks },
    /rsa1024\.json: key 1 is an RSA key of 1024 bits; use an Ed25519/,
  )
})

test('a private or secret key file is refused: the server holds public keys only', async (t) => {
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true })
  const pem = await writeKeyFile(t, 'private.pem', await exportPKCS8(privateKey))
  await assertLoadFails({ publicKeyFile: pem }, /private\.pem holds a private key/)
  const privateJwks = await writeKeyFile(
    t,
    'private.json',
    JSON.stringify({ keys: [await exportJWK(privateKey)] }),
  )
  await assertLoadFails({ publicKeyFile: privateJwks }, /key 1 is a private or secret key/)
  const secretJwks = await writeKeyFile(
    t,
    'secret.json',
    JSON.stringify({
      keys: [await exportJWK(await generateSecret('HS256', { extractable: true }))],
    }),
  )
  await assertLoadFails({ publicKeyFile: secretJwks }, /key 1 is a private or secret key/)
})

test('a JWKS URL must be a URL, and https unless it is on loopback', async () => {
  await assertLoadFails({ jwksUrl: 'not a url' }, /^the JWKS URL is not a valid URL$/)
  await assertLoadFails(
    { jwksUrl: 'http://id.example/jwks.json' },
    /^the JWKS URL http:\/\/id\.example must use https \(http only on loopback\)$/,
  )
  await createJwtAuthenticator({ jwksUrl: 'https://id.example/jwks.json' })
  await createJwtAuthenticator({ jwksUrl: 'http://localhost:9/jwks.json' })
})
