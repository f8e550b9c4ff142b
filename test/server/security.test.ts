import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import WebSocket from 'ws'
import { type Authenticate, type Principal, refuse } from '../../server/index.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { requestUpgrade } from '../helpers/http.js'
import { startServer } from '../helpers/start-server.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

/** Principals by token; a token is `<user>:<issued at ms>[:<expires at ms>][:admin]`. */
const authenticateByToken: Authenticate = ({ url, headers }) => {
  const token =
    url.searchParams.get('token') ?? headers.get('authorization')?.replace(/^Bearer /, '')
  const [userId, issuedAt, expiresAt, role] = (token ?? '').split(':')
  if (!userId || !issuedAt) {
    return Promise.resolve(refuse(401, 'COLLAB_UNAUTHENTICATED', 'a valid token is required'))
  }
  const principal: Principal = {
    userId,
    issuedAtMs: Number(issuedAt),
    expiresAtMs: expiresAt ? Number(expiresAt) : undefined,
    isAdmin: role === 'admin',
    access: () => 'write',
  }
  return Promise.resolve(principal)
}

/** Opens a raw WebSocket and resolves once it is open; `closed` resolves with its close frame. */
async function open(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, { headers })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  return { socket, closed }
}

const revoke = (port: number, token: string, body: string) =>
  fetch(`http://127.0.0.1:${port}/api/admin/revocations`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body,
  })

test('a connection is closed with 4401 within a second of its credential’s expiry', async (t) => {
  const server = await startServer(t, { authenticate: authenticateByToken })
  const expiresAtMs = Date.now() + 1500
  const { socket, closed } = await open(`${server.url}/doc?token=ann:${Date.now()}:${expiresAtMs}`)
  deferCleanup(t, () => socket.terminate())
  const forever = await open(`${server.url}/doc?token=bob:${Date.now()}`)
  deferCleanup(t, () => forever.socket.terminate())
  const { code, reason } = await closed
  const lateMs = Date.now() - expiresAtMs
  assert.equal(code, 4401)
  assert.match(reason, /token expired/)
  assert.ok(lateMs >= 0 && lateMs < 1000, `closed ${lateMs} ms after the expiry`)
  assert.equal(forever.socket.readyState, WebSocket.OPEN, 'a credential without expiry stays')
})

test('an admin revokes a user: their connections close with 4403 and older tokens are refused, also after a restart', async (t) => {
  const dataDirectory = await makeTempDir(t)
  const server = await startServer(t, { dataDirectory, authenticate: authenticateByToken })
  const oldToken = `alice:${Date.now() - 5000}`
  const alice = await open(`${server.url}/doc?token=${oldToken}`)
  deferCleanup(t, () => alice.socket.terminate())
  const bob = await open(`${server.url}/doc?token=bob:${Date.now()}`)
  deferCleanup(t, () => bob.socket.terminate())

  const notAdmin = await revoke(server.port, `bob:${Date.now()}`, '{"sub":"alice"}')
  assert.equal(notAdmin.status, 403)
  assert.equal(((await notAdmin.json()) as { error: string }).error, 'COLLAB_FORBIDDEN')
  const anonymous = await fetch(`http://127.0.0.1:${server.port}/api/admin/revocations`, {
    method: 'POST',
    body: '{"sub":"alice"}',
  })
  assert.equal(anonymous.status, 401)
  const admin = `root:${Date.now()}::admin`
  for (const body of ['not json', '{}', '{"sub":""}', '{"sub":7}']) {
    const bad = await revoke(server.port, admin, body)
    assert.equal(bad.status, 400, body)
    assert.equal(((await bad.json()) as { error: string }).error, 'COLLAB_BAD_REQUEST')
  }
  const tooLarge = await revoke(server.port, admin, JSON.stringify({ sub: 'x'.repeat(20_000) }))
  assert.equal(tooLarge.status, 413)
  const wrongMethod = await fetch(`http://127.0.0.1:${server.port}/api/admin/revocations`)
  assert.equal(wrongMethod.status, 405)
  assert.equal(wrongMethod.headers.get('allow'), 'POST')

  const revokedAtMs = Date.now()
  const revoked = await revoke(server.port, admin, '{"sub":"alice"}')
  assert.equal(revoked.status, 201)
  const body = (await revoked.json()) as {
    sub: string
    revokedAt: string
    closedConnections: number
  }
  assert.equal(body.sub, 'alice')
  assert.equal(body.closedConnections, 1)
  const { code, reason } = await alice.closed
  assert.equal(code, 4403)
  assert.match(reason, /revoked/)
  assert.ok(Date.now() - revokedAtMs < 1000, 'closed within a second')
  assert.equal(bob.socket.readyState, WebSocket.OPEN, 'other users stay connected')

  const refused = await requestUpgrade(server.port, `/doc?token=${oldToken}`)
  assert.equal(refused.status, 401)
  assert.equal(refused.body.error, 'COLLAB_UNAUTHENTICATED')
  assert.match(String(refused.body.reason), /revoked/)
  const newer = `alice:${Date.parse(body.revokedAt) + 1000}`
  const again = await open(`${server.url}/doc?token=${newer}`)
  again.socket.terminate()

  await server.stop()
  const restarted = await startServer(t, { dataDirectory, authenticate: authenticateByToken })
  const afterRestart = await requestUpgrade(restarted.port, `/doc?token=${oldToken}`)
  assert.equal(afterRestart.status, 401, 'the revocation was kept in the store')
  const stillFine = await open(`${restarted.url}/doc?token=${newer}`)
  stillFine.socket.terminate()
})

test('only allowed origins may connect; only the server’s own or listed ones are trusted with cookies', async (t) => {
  const seen: boolean[] = []
  const server = await startServer(t, {
    allowedOrigins: ['https://app.example'],
    authenticate: (request) => {
      seen.push(request.isTrustedOrigin)
      return authenticateByToken(request)
    },
  })
  const token = `ann:${Date.now()}`
  const foreign = await requestUpgrade(server.port, `/doc?token=${token}`, {
    Origin: 'https://evil.example',
  })
  assert.equal(foreign.status, 403)
  assert.equal(foreign.body.error, 'COLLAB_ORIGIN_NOT_ALLOWED')
  assert.deepEqual(seen, [], 'refused before the authenticator ran')

  for (const origin of ['https://app.example', `http://127.0.0.1:${server.port}`]) {
    const allowed = await open(`${server.url}/doc?token=${token}`, { Origin: origin })
    allowed.socket.terminate()
  }
  const noOrigin = await open(`${server.url}/doc?token=${token}`)
  noOrigin.socket.terminate()
  assert.deepEqual(seen, [true, true, false], 'listed and own origins are trusted, none is not')

  const api = await fetch(`http://127.0.0.1:${server.port}/api/admin/revocations`, {
    method: 'POST',
    headers: { Origin: 'https://evil.example', Authorization: `Bearer root:${Date.now()}::admin` },
    body: '{"sub":"ann"}',
  })
  assert.equal(api.status, 403, 'the HTTP API checks the Origin too')
})

test('with any origin allowed, a foreign origin connects but is not trusted with cookies', async (t) => {
  const seen: boolean[] = []
  const server = await startServer(t, {
    authenticate: (request) => {
      seen.push(request.isTrustedOrigin)
      return authenticateByToken(request)
    },
  })
  const foreign = await open(`${server.url}/doc?token=ann:${Date.now()}`, {
    Origin: 'https://elsewhere.example',
  })
  foreign.socket.terminate()
  assert.deepEqual(seen, [false])
})

test('serves https and wss on one port with --tls-cert/--tls-key material', async (t) => {
  const directory = await makeTempDir(t)
  const [keyFile, certFile] = [join(directory, 'key.pem'), join(directory, 'cert.pem')]
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ])
  const [key, cert] = await Promise.all([readFile(keyFile), readFile(certFile)])
  const server = await startServer(t, { tls: { cert, key } })

  const health = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: server.port, path: '/healthz', ca: cert },
      (response) => {
        let text = ''
        response.on('data', (chunk: Buffer) => (text += chunk.toString()))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', reject)
    req.end()
  })
  assert.equal(health.status, 200)
  assert.match(health.body, /"status":"ok"/)

  const socket = new WebSocket(`wss://127.0.0.1:${server.port}/secure-doc`, { ca: cert })
  deferCleanup(t, () => socket.terminate())
  const firstFrame = await new Promise<Buffer>((resolve, reject) => {
    socket.once('message', (data: Buffer) => resolve(data))
    socket.once('error', reject)
  })
  assert.equal(firstFrame[0], 0, 'the server greets with a sync message over wss')
  const plain = new WebSocket(`wss://127.0.0.1:${server.port}/secure-doc`)
  const error = await new Promise<Error>((resolve) => plain.once('error', resolve))
  assert.match(error.message, /self.signed|certificate/i, 'an untrusted certificate is refused')
})

test('credentials never reach the logs', async (t) => {
  const server = await startServer(t, { authenticate: authenticateByToken })
  const secret = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJl'
  await requestUpgrade(server.port, `/doc?token=${secret}`)
  await requestUpgrade(server.port, '/%E2%82?token=ann-secret-token', {
    Authorization: `Bearer ${secret}`,
  })
  const expiring = await open(`${server.url}/doc?token=ann:${Date.now()}:${Date.now() + 600}`)
  await expiring.closed
  await until(() => server.logs.some((line) => line.code === 'COLLAB_TOKEN_EXPIRED'), {
    what: 'the expiry to be logged',
  })
  const logged = JSON.stringify(server.logs)
  for (const credential of [secret, 'ann-secret-token', `ann:`]) {
    assert.ok(!logged.includes(credential), `no log line holds ${credential}`)
  }
})
