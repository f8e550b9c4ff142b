import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type Authenticate, refuse } from '../../server/index.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { requestUpgrade } from '../helpers/http.js'
import { startServer } from '../helpers/start-server.js'
import { until } from '../helpers/until.js'

const token = 'tok-3f9a1c7e5b2d4f60'

const authenticate: Authenticate = (request) =>
  Promise.resolve(
    request.url.searchParams.get('token') === token
      ? { userId: 'user-17', name: 'Ann', access: () => 'write' as const }
      : refuse(401, 'COLLAB_UNAUTHENTICATED', 'a valid token is required'),
  )

test('one access line per upgrade and per closed connection, with who, where, how long and how much, and never the token', async (t) => {
  const server = await startServer(t, { authenticate })
  const access = () => server.logs.filter((line) => line.log === 'access')
  const client = connectProvider(t, server.url, 'minutes', undefined, { params: { token } })
  await waitSynced(client)
  client.doc.getText('text').insert(0, 'agenda')
  await until(() => server.events.of('updateStored').length === 1, {
    what: 'the edit to be stored',
  })
  client.destroy()
  await until(() => access().some((line) => line.event === 'close'), { what: 'the close line' })
  const refused = await requestUpgrade(server.port, '/minutes?token=wrong-token-value')
  assert.equal(refused.status, 401)
  await until(() => access().length === 3, { what: 'the refused upgrade’s line' })

  const [opened, closed, refusal] = access()
  assert.deepEqual(
    { ...opened, time: 0, pid: 0, hostname: '' },
    {
      level: 30,
      time: 0,
      pid: 0,
      hostname: '',
      log: 'access',
      event: 'upgrade',
      status: 101,
      room: 'minutes',
      connectionId: opened!.connectionId,
      userId: 'user-17',
      clientAddress: '127.0.0.1',
      msg: 'connection opened',
    },
  )
  assert.equal(closed!.room, 'minutes')
  assert.equal(closed!.userId, 'user-17')
  assert.equal(closed!.clientAddress, '127.0.0.1')
  assert.equal(closed!.connectionId, opened!.connectionId)
  assert.equal(typeof closed!.code, 'number')
  assert.equal(typeof closed!.durationMs, 'number')
  assert.ok((closed!.messagesReceived as number) >= 2, 'sync step 1 and the update')
  assert.ok((closed!.bytesReceived as number) > 'agenda'.length)
  assert.ok((closed!.messagesSent as number) >= 2, 'sync step 1 and 2')
  assert.ok((closed!.bytesSent as number) > 0)
  assert.equal(refusal!.status, 401)
  assert.equal(refusal!.error, 'COLLAB_UNAUTHENTICATED')
  assert.equal(refusal!.room, 'minutes')

  const everything = JSON.stringify(server.logs)
  assert.ok(!everything.includes(token), 'the token is never logged')
  assert.ok(!everything.includes('wrong-token-value'), 'nor a wrong one')
})
