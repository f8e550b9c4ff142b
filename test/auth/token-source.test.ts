import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createJwtAuthenticator } from '../../auth/jwt-authenticator.js'
import {
  assertUnauthenticated,
  authRequest,
  expectPrincipal,
  expectRefusal,
  secretKey,
  signToken,
} from './jwt-fixtures.js'

const secret = 'token-source-test-secret'

/** A token for `sub`, so that a test can tell which of several tokens was read. */
function tokenFor(sub: string): Promise<string> {
  return signToken({ sub, docs: { '*': 'write' } }, secretKey(secret), 'HS256')
}

test('a token in the token query parameter (y-websocket params) is read', async () => {
  const authenticate = await createJwtAuthenticator({ secret })
  const token = await tokenFor('query-user')
  const principal = await expectPrincipal(authenticate, authRequest({ query: `?token=${token}` }))
  assert.equal(principal.userId, 'query-user')
})

test('a token in an Authorization: Bearer header is read, whatever the scheme’s case', async () => {
  const authenticate = await createJwtAuthenticator({ secret })
  const token = await tokenFor('bearer-user')
  for (const scheme of ['Bearer', 'bearer']) {
    const request = authRequest({ headers: { authorization: `${scheme} ${token}` } })
    assert.equal((await expectPrincipal(authenticate, request)).userId, 'bearer-user')
  }
})

test('a cookie is read when the request comes from a trusted origin', async () => {
  const authenticate = await createJwtAuthenticator({ secret })
  const token = await tokenFor('cookie-user')
  const request = authRequest({
    headers: { cookie: `theme=dark; collab_token=${token}; other=1` },
    isTrustedOrigin: true,
  })
  assert.equal((await expectPrincipal(authenticate, request)).userId, 'cookie-user')
})

test('a cookie is ignored, as if absent, when the origin is not trusted', async () => {
  const authenticate = await createJwtAuthenticator({ secret })
  const token = await tokenFor('cookie-user')
  const request = authRequest({ headers: { cookie: `collab_token=${token}` } })
  assertUnauthenticated(await expectRefusal(authenticate, request), 'no token')
})

test('the cookie name is an option', async () => {
  const authenticate = await createJwtAuthenticator({ secret, cookieName: 'session' })
  const token = await tokenFor('cookie-user')
  const named = authRequest({ headers: { cookie: `session=${token}` }, isTrustedOrigin: true })
  assert.equal((await expectPrincipal(authenticate, named)).userId, 'cookie-user')
  const defaultName = authRequest({
    headers: { cookie: `collab_token=${token}` },
    isTrustedOrigin: true,
  })
  assertUnauthenticated(await expectRefusal(authenticate, defaultName), 'no token')
})

test('the query wins over the header, and the header over the cookie', async () => {
  const authenticate = await createJwtAuthenticator({ secret })
  const [query, bearer, cookie] = await Promise.all([tokenFor('q'), tokenFor('b'), tokenFor('c')])
  const all = authRequest({
    query: `?token=${query}`,
    headers: { authorization: `Bearer ${bearer}`, cookie: `collab_token=${cookie}` },
    isTrustedOrigin: true,
  })
  assert.equal((await expectPrincipal(authenticate, all)).userId, 'q')
  const noQuery = authRequest({
    headers: { authorization: `Bearer ${bearer}`, cookie: `collab_token=${cookie}` },
    isTrustedOrigin: true,
  })
  assert.equal((await expectPrincipal(authenticate, noQuery)).userId, 'b')
})

test('a request without a token anywhere is refused with 401 "no token"', async () => {
  const authenticate = await createJwtAuthenticator({ secret })
  for (const request of [
    authRequest(),
    authRequest({ query: '?token=' }),
    authRequest({ headers: { authorization: 'Bearer ' } }),
    authRequest({ headers: { authorization: 'Basic dXNlcjpwYXNz' } }),
    authRequest({ headers: { cookie: 'collab_token=' }, isTrustedOrigin: true }),
  ]) {
    assertUnauthenticated(await expectRefusal(authenticate, request), 'no token')
  }
})
