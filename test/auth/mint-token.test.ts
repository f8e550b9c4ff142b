import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { createJwtAuthenticator } from '../../auth/jwt-authenticator.js'
import { mintToken, parseDocsEntries, parseDurationSeconds } from '../../auth/mint-token.js'
import { assertUnauthenticated, expectPrincipal, expectRefusal, withToken } from './jwt-fixtures.js'

const secret = 'mint-test-secret'

test('a minted token round-trips through the verifier with the same secret', async () => {
  const before = Math.floor(Date.now() / 1000)
  const token = await mintToken({
    secret,
    sub: 'alice',
    name: 'Alice',
    docs: { 'team-a/*': 'write', 'public/*': 'read' },
    admin: true,
    expiresInSeconds: 900,
  })
  const principal = await expectPrincipal(
    await createJwtAuthenticator({ secret }),
    withToken(token),
  )
  assert.equal(principal.userId, 'alice')
  assert.equal(principal.name, 'Alice')
  assert.equal(principal.isAdmin, true)
  assert.equal(principal.access('team-a/plan'), 'write')
  assert.equal(principal.access('public/readme'), 'read')
  assert.equal(principal.access('team-b/plan'), null)
  const issuedAtMs = principal.issuedAtMs ?? 0
  assert.ok(issuedAtMs >= before * 1000 && issuedAtMs <= Date.now(), 'iat is now')
  assert.equal(principal.expiresAtMs, issuedAtMs + 900_000)
})

test('a minted token is HS256, lives an hour by default and says admin only when true', async () => {
  const token = await mintToken({ secret, sub: 'bob', docs: { notes: 'read' } })
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT' })
  const claims = decodeJwt(token)
  assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 3600)
  assert.deepEqual(Object.keys(claims).sort(), ['docs', 'exp', 'iat', 'sub'])
})

test('a minted token is refused by a verifier with another secret', async () => {
  const token = await mintToken({ secret, sub: 'alice', docs: { '*': 'read' } })
  const other = await createJwtAuthenticator({ secret: 'another-secret' })
  assertUnauthenticated(await expectRefusal(other, withToken(token)), 'token signature is invalid')
})

test('minting refuses an empty secret or sub and a lifetime below one second', async () => {
  const base = { secret, sub: 'alice', docs: {} }
  await assert.rejects(mintToken({ ...base, secret: '' }), /^RangeError: the secret is empty$/)
  await assert.rejects(mintToken({ ...base, sub: '' }), /the sub \(user id\) is empty/)
  for (const expiresInSeconds of [0, -5, 1.5, Number.NaN]) {
    await assert.rejects(mintToken({ ...base, expiresInSeconds }), /whole number of seconds/)
  }
})

test('durations are read in seconds, minutes, hours and days', () => {
  assert.equal(parseDurationSeconds('30s'), 30)
  assert.equal(parseDurationSeconds('15m'), 900)
  assert.equal(parseDurationSeconds('1h'), 3600)
  assert.equal(parseDurationSeconds('7d'), 604_800)
})

test('a duration without a unit, with another unit, or of zero is refused', () => {
  for (const text of ['', '10', '1w', '1.5h', '-1h', '0s', 'h', '1 h 2m']) {
    assert.throws(
      () => parseDurationSeconds(text),
      /^RangeError: expected a duration such as 30s, 15m, 1h or 7d$/,
      text,
    )
  }
})

test('docs entries become a docs claim; a pattern may itself contain =', () => {
  assert.deepEqual(parseDocsEntries(['team-a/*=write', 'public/*=read', 'a=b=read']), {
    'team-a/*': 'write',
    'public/*': 'read',
    'a=b': 'read',
  })
  assert.deepEqual(parseDocsEntries(['x=read', 'x=read']), { x: 'read' }, 'repeats are harmless')
  assert.deepEqual(parseDocsEntries([]), {})
})

test('a docs entry without a pattern, or with an access other than read or write, is refused', () => {
  for (const entry of ['team-a/*', '=write', 'team-a/*=admin', 'team-a/*=', 'team-a/*=Write']) {
    assert.throws(
      () => parseDocsEntries([entry]),
      new RangeError(`'${entry}' is not pattern=read or pattern=write, e.g. 'team-a/*=write'`),
    )
  }
  assert.throws(
    () => parseDocsEntries(['x=read', 'x=write']),
    /^RangeError: 'x' is given both read and write access$/,
  )
})
