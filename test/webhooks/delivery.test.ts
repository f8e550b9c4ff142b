import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { verifySignature } from '../../webhooks/signature.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { until } from '../helpers/until.js'
import { startReceiver } from './receiver.js'
import { apiOrigin, openDocument, startWebhooks, testSecret } from './webhook-fixture.js'

/** The `t` of an X-Collab-Signature value, in unix seconds. */
const signedAt = (header: string | string[] | undefined): number =>
  Number(/(?:^|,)t=(\d+)/.exec(String(header))?.[1])

test('retries a 500 twice and delivers the third attempt: one id, every attempt signed', async (t) => {
  const receiver = await startReceiver(t, (index) => (index < 2 ? 500 : 200))
  const { webhooks } = startWebhooks(t, [receiver.url])

  webhooks.hooks.onLoad!(openDocument(t, 'notes').document)
  await until(() => webhooks.counts().delivered === 1, { what: 'the event to be delivered' })

  assert.equal(receiver.calls.length, 3)
  const [first] = receiver.calls
  for (const call of receiver.calls) {
    assert.equal(call.body.id, first!.body.id, 'every retry carries the same id')
    assert.equal(call.rawBody, first!.rawBody, 'and the same body')
    const signature = String(call.headers['x-collab-signature'])
    assert.ok(verifySignature(testSecret, call.rawBody, signature), 'each attempt is signed')
    assert.ok(Math.abs(signedAt(signature) - call.receivedAtMs / 1000) < 5, 'at its own time')
  }
  assert.deepEqual(webhooks.counts(), {
    delivered: 1,
    retried: 2,
    failed: 0,
    dropped: 0,
    queued: 0,
  })
})

test('refuses a 4xx other than 429, and a redirect, without retrying them', async (t) => {
  const receiver = await startReceiver(t, (index) => [400, 308, 200][index] ?? 200)
  const { webhooks } = startWebhooks(t, [receiver.url])

  for (const name of ['bad-request', 'redirected', 'accepted']) {
    webhooks.hooks.onLoad!(openDocument(t, name).document)
  }
  await until(() => webhooks.counts().queued === 0, { what: 'the queue to empty' })

  // Events go out in order, one at a time: a retry would have come before the next event.
  const documents = receiver.calls.map((call) => call.body.document)
  assert.deepEqual(documents, ['bad-request', 'redirected', 'accepted'])
  assert.deepEqual(webhooks.counts(), {
    delivered: 1,
    retried: 0,
    failed: 2,
    dropped: 0,
    queued: 0,
  })
})

test('retries a 429 and gives up after the last attempt', async (t) => {
  const receiver = await startReceiver(t, () => 429)
  const { webhooks, logs } = startWebhooks(t, [receiver.url], { attempts: 3 })

  webhooks.hooks.onLoad!(openDocument(t, 'notes').document)
  await until(() => webhooks.counts().failed === 1, { what: 'the event to fail' })

  assert.equal(receiver.calls.length, 3)
  assert.deepEqual(webhooks.counts(), {
    delivered: 0,
    retried: 2,
    failed: 1,
    dropped: 0,
    queued: 0,
  })
  const gaveUp = logs.find((line) => line.msg === 'webhook failed; giving up')
  assert.equal(gaveUp?.status, 429)
  assert.equal(gaveUp?.attempts, 3)
})

test('retries network errors and timed-out attempts', async (t) => {
  const hanging = await startReceiver(t, () => 'hang')
  const refusing = createServer()
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve))
  const { port } = refusing.address() as AddressInfo
  await new Promise((resolve) => refusing.close(resolve))
  const { webhooks } = startWebhooks(t, [hanging.url, `http://127.0.0.1:${port}/gone`], {
    attempts: 2,
    attemptTimeoutMs: 100,
  })

  webhooks.hooks.onLoad!(openDocument(t, 'notes').document)
  await until(() => webhooks.counts().failed === 2, { what: 'both URLs to give up' })

  assert.equal(hanging.calls.length, 2, 'the timed-out attempt was made again')
  await until(() => hanging.abandoned() === 2, { what: 'both timed-out calls to be closed' })
  assert.deepEqual(webhooks.counts(), {
    delivered: 0,
    retried: 2,
    failed: 2,
    dropped: 0,
    queued: 0,
  })
})

test('a hanging receiver holds back neither the hooks nor another URL, and its queue stays bounded', async (t) => {
  const hanging = await startReceiver(t, () => 'hang')
  const healthy = await startReceiver(t)
  const { webhooks } = startWebhooks(t, [hanging.url, healthy.url], {
    debounceMs: 20,
    attemptTimeoutMs: 60_000,
    maxQueuedEvents: 50,
    maxConcurrentCalls: 1,
  })
  const documents = Array.from({ length: 20 }, (_, index) => openDocument(t, `doc-${index}`))

  for (let change = 0; change < 1_000; change++) {
    const { document } = documents[change % documents.length]!
    webhooks.hooks.onChange!(document, {
      authors: [{ userId: `user-${change % 7}` }],
      origin: apiOrigin,
    })
  }
  await healthy.waitForCalls(20, 'one document.changed per document')
  // Bursts smaller than the bound, so only the hanging URL's queue overflows.
  for (let burst = 1; burst <= 10; burst++) {
    for (const { document } of documents) webhooks.hooks.onLoad!(document)
    await healthy.waitForCalls(20 + burst * 20, `burst ${burst} at the healthy URL`)
  }

  assert.equal(healthy.of('document.changed').length, 20)
  assert.equal(healthy.of('document.loaded').length, 200)
  assert.equal(hanging.calls.length, 1, 'the hanging URL is still on its first call')
  await until(() => webhooks.counts().delivered === 220, { what: 'the last answer to arrive' })
  assert.deepEqual(webhooks.counts(), {
    delivered: 220,
    retried: 0,
    failed: 0,
    dropped: 169,
    queued: 51, // fifty waiting, one being sent
  })
})

test('sends up to maxConcurrentCalls calls at once, but the events of one document one at a time, in order', async (t) => {
  const held: Array<() => void> = []
  const arrived: Array<{ event: string; document: string }> = []
  const receiver = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      arrived.push(JSON.parse(body) as { event: string; document: string })
      held.push(() => response.writeHead(200).end())
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    receiver.closeAllConnections()
    receiver.close()
  })
  const { port } = receiver.address() as AddressInfo
  const { webhooks } = startWebhooks(t, [`http://127.0.0.1:${port}/hooks`], {
    maxConcurrentCalls: 3,
  })
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => openDocument(t, name).document)
  webhooks.hooks.onLoad!(a!)
  webhooks.hooks.onUnload!(a!)
  webhooks.hooks.onLoad!(b!)
  webhooks.hooks.onLoad!(c!)
  webhooks.hooks.onLoad!(d!)

  await until(() => arrived.length === 3, { what: 'three calls in flight' })
  const describe = (call: { event: string; document: string }) =>
    `${call.event.replace('document.', '')} ${call.document}`
  assert.deepEqual(arrived.map(describe), ['loaded a', 'loaded b', 'loaded c'])
  assert.equal(webhooks.counts().queued, 5)
  for (const release of held.splice(0)) release()
  await until(() => arrived.length === 5, { what: 'the two that waited' })
  assert.deepEqual(arrived.slice(3).map(describe).sort(), ['loaded d', 'unloaded a'])
  for (const release of held.splice(0)) release()
  await until(() => webhooks.counts().delivered === 5, { what: 'every answer' })
})

test('hooks only enqueue: they return before any call is made', (t) => {
  const { webhooks } = startWebhooks(t, ['http://127.0.0.1:9/never-called'], { debounceMs: 0 })
  const { document } = openDocument(t, 'notes')

  for (let change = 0; change < 1_000; change++) {
    webhooks.hooks.onChange!(document, { authors: [], origin: apiOrigin })
  }
  webhooks.hooks.onLoad!(document)
  webhooks.hooks.onUnload!(document)
  // Still in the same turn of the event loop: everything is queued, nothing has been sent.
  assert.deepEqual(webhooks.counts(), {
    delivered: 0,
    retried: 0,
    failed: 0,
    dropped: 0,
    queued: 3,
  })
})

test('bounds the waiting events by their bytes too', async (t) => {
  const hanging = await startReceiver(t, () => 'hang')
  const { webhooks, logs } = startWebhooks(t, [hanging.url], {
    attemptTimeoutMs: 60_000,
    maxQueuedBytes: 1_000,
    maxConcurrentCalls: 1,
  })

  for (let index = 0; index < 20; index++) {
    webhooks.hooks.onLoad!(openDocument(t, `doc-${index}`).document)
  }

  const { dropped, queued } = webhooks.counts()
  assert.ok(queued > 1 && queued < 10, `${queued} events of some 140 bytes each fit in 1,000 bytes`)
  assert.equal(dropped + queued, 20)
  const full = logs.filter((line) => line.msg === 'webhook queue full: dropping the oldest events')
  assert.equal(full.length, 1, 'the overflow is logged once, not once per event')
  await hanging.waitForCalls(1)
  assert.equal(hanging.calls[0]!.body.document, 'doc-0', 'the event being sent is never dropped')
})

test('flush resolves once the queues are empty, or after its timeout', async (t) => {
  const healthy = await startReceiver(t)
  const { webhooks } = startWebhooks(t, [healthy.url])
  for (let index = 0; index < 5; index++) {
    webhooks.hooks.onLoad!(openDocument(t, `doc-${index}`).document)
  }
  await webhooks.flush(10_000)
  assert.equal(healthy.calls.length, 5)
  assert.equal(webhooks.counts().queued, 0)

  const hanging = await startReceiver(t, () => 'hang')
  const stuck = startWebhooks(t, [hanging.url], { attemptTimeoutMs: 60_000 })
  stuck.webhooks.hooks.onLoad!(openDocument(t, 'notes').document)
  await stuck.webhooks.flush(50)
  assert.equal(stuck.webhooks.counts().queued, 1)
  assert.ok(stuck.logs.some((line) => line.msg === 'webhook flush timed out'))
})

test('close aborts the call in flight, drops what waits, and makes the hooks do nothing', async (t) => {
  const hanging = await startReceiver(t, () => 'hang')
  const { webhooks } = startWebhooks(t, [hanging.url], { attemptTimeoutMs: 60_000 })
  const { document } = openDocument(t, 'notes')
  webhooks.hooks.onLoad!(document)
  webhooks.hooks.onChange!(document, { authors: [], origin: apiOrigin })
  webhooks.hooks.onUnload!(document)
  await hanging.waitForCalls(1)

  webhooks.close()
  assert.deepEqual(webhooks.counts(), {
    delivered: 0,
    retried: 0,
    failed: 0,
    dropped: 3,
    queued: 0,
  })
  await until(() => hanging.abandoned() === 1, { what: 'the call in flight to be aborted' })
  webhooks.hooks.onLoad!(document)
  assert.equal(webhooks.counts().queued, 0)
})

test('logs a failing URL without its credentials, and never the secret or the content', async (t) => {
  const receiver = await startReceiver(t, () => 403)
  const url = new URL(receiver.url)
  url.username = 'hook-user'
  url.password = 'hook-password'
  url.search = '?key=query-key'
  const { webhooks, logs } = startWebhooks(t, [url.href], { content: 'text' })
  const paragraph = { type: 'paragraph', content: [{ type: 'text', text: 'confidential words' }] }

  const { document } = openDocument(t, 'notes', { type: 'doc', content: [paragraph] })
  webhooks.hooks.onChange!(document, { authors: [], origin: apiOrigin })
  await until(() => webhooks.counts().failed === 1, { what: 'the call to be refused' })

  const [call] = receiver.calls
  const basic = Buffer.from('hook-user:hook-password').toString('base64')
  assert.equal(call!.headers.authorization, `Basic ${basic}`, 'user info is sent as Basic auth')
  assert.equal(call!.body.content, 'confidential words')
  const refused = logs.find((line) => line.msg === 'webhook refused; not retried')
  assert.equal(refused?.webhook, receiver.url)
  assert.equal(refused?.status, 403)
  const logged = JSON.stringify(logs)
  for (const secret of ['hook-password', 'query-key', testSecret, 'confidential words']) {
    assert.ok(!logged.includes(secret), `the log holds no "${secret}"`)
  }
})

test('keeps connections open: one for calls in sequence, maxConcurrentCalls for calls at once', async (t) => {
  const connections: number[] = []
  const calls: IncomingHttpHeaders[] = []
  const receiver = createServer((request, response) => {
    calls.push(request.headers)
    request.resume()
    request.on('end', () => response.writeHead(200).end('a body nobody reads'))
  })
  receiver.on('connection', () => connections.push(calls.length))
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  deferCleanup(t, () => {
    receiver.closeAllConnections()
    return new Promise((resolve) => receiver.close(resolve))
  })
  const { port } = receiver.address() as AddressInfo
  const url = `http://127.0.0.1:${port}/hooks`

  // One document: its events go one at a time, each once the one before was answered.
  const inSequence = startWebhooks(t, [url]).webhooks
  const { document } = openDocument(t, 'notes')
  for (let index = 0; index < 5; index++) {
    inSequence.hooks.onLoad!(document)
    inSequence.hooks.onUnload!(document)
  }
  await until(() => inSequence.counts().delivered === 10, { what: 'the calls in sequence' })
  assert.equal(connections.length, 1, 'every call in sequence went over the first connection')
  for (const headers of calls) {
    assert.equal(headers['transfer-encoding'], undefined, 'the body is not chunked')
    assert.ok(Number(headers['content-length']) > 0, 'its length is sent')
  }

  const atOnce = startWebhooks(t, [url], { maxConcurrentCalls: 3 }).webhooks
  for (let index = 0; index < 30; index++) {
    atOnce.hooks.onLoad!(openDocument(t, `doc-${index}`).document)
  }
  await until(() => atOnce.counts().delivered === 30, { what: 'the calls at once' })
  assert.equal(connections.length, 1 + 3, 'three more connections, reused for all thirty calls')
})

test('after close, neither a call in flight nor an idle connection keeps the process up', async (t) => {
  // The first call is answered (its connection then idles in the agent), the second hangs far
  // longer than the test may take.
  const receiver = await startReceiver(t, (index) => (index === 0 ? 200 : 'hang'))
  const module = (path: string) => JSON.stringify(new URL(path, import.meta.url).href)
  const script = `
    import { DeliveryQueue } from ${module('../../webhooks/delivery.ts')}
    import { createWebhookEvent } from ${module('../../webhooks/webhook-event.ts')}
    import { createLogger } from ${module('../../server/logger.ts')}
    const queue = new DeliveryQueue({
      url: new URL(${JSON.stringify(receiver.url)}),
      secret: undefined,
      attempts: 3,
      attemptTimeoutMs: 600000,
      retryBaseMs: 600000,
      retryMaxMs: 600000,
      maxQueuedEvents: 10,
      maxQueuedBytes: 100000,
      maxConcurrentCalls: 2,
      logger: createLogger('debug'),
    })
    queue.enqueue(createWebhookEvent('document.loaded', 'answered', []))
    queue.enqueue(createWebhookEvent('document.loaded', 'hanging', []))
    // Closed once stdin ends; after that the process must end by itself.
    process.stdin.resume().on('end', () => queue.close())
  `
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  let exitCode: number | null | undefined
  child.on('exit', (code) => (exitCode = code))
  deferCleanup(t, () => {
    if (exitCode === undefined) child.kill('SIGKILL')
  })

  await until(() => receiver.calls.length === 2 && output.includes('webhook delivered'), {
    timeoutMs: 30_000,
    what: 'one call answered and one in flight',
  })
  child.stdin.end()
  await until(() => exitCode !== undefined, { what: 'the process to end by itself' })

  assert.equal(exitCode, 0, output)
  assert.match(output, /"undelivered":1,"msg":"webhook events dropped at close"/)
  await until(() => receiver.abandoned() === 1, { what: 'the call in flight to be aborted' })
})

test('more than ten calls or backoffs at once warn of no listener leak', async (t) => {
  const warnings: string[] = []
  const onWarning = (warning: Error) => warnings.push(warning.name)
  process.on('warning', onWarning)
  t.after(() => process.off('warning', onWarning))
  const receiver = await startReceiver(t, () => 503)
  const { webhooks } = startWebhooks(t, [receiver.url], { attempts: 2, maxConcurrentCalls: 12 })

  for (let index = 0; index < 12; index++) {
    webhooks.hooks.onLoad!(openDocument(t, `doc-${index}`).document)
  }
  await until(() => webhooks.counts().failed === 12, { what: 'every event to give up' })

  assert.equal(receiver.calls.length, 24)
  assert.deepEqual(warnings, [])
})
