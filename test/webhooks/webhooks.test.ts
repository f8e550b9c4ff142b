import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Y from 'yjs'
import { documentFragmentName, type ProseMirrorJson } from '../../content/document-content.js'
import type { Author } from '../../server/index.js'
import { verifySignature } from '../../webhooks/signature.js'
import { createWebhooks } from '../../webhooks/webhooks.js'
import { collectLogs } from '../helpers/collect-logs.js'
import { until } from '../helpers/until.js'
import { startReceiver } from './receiver.js'
import { apiOrigin, openDocument, startWebhooks, testSecret } from './webhook-fixture.js'
import { listItem, paragraph, text } from '../helpers/prosemirror-json.js'

/** A heading, a paragraph with bold text and a link, and a bullet list. */
const notes: ProseMirrorJson = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 2 }, content: [text('Plan')] },
    paragraph(
      text('Read the '),
      text('whole', { type: 'strong' }),
      text(' '),
      text('brief', { type: 'link', attrs: { href: 'https://example.com/brief', title: null } }),
    ),
    { type: 'bullet_list', content: [listItem('Write'), listItem('Test')] },
  ],
}

/** Appends a paragraph saying `words` to the editor document in `doc`. */
function appendParagraph(doc: Y.Doc, words: string): void {
  const element = new Y.XmlElement('paragraph')
  element.insert(0, [new Y.XmlText(words)])
  const fragment = doc.getXmlFragment(documentFragmentName)
  fragment.insert(fragment.length, [element])
}

const isoTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

test('sends document.loaded with the documented body and headers, signed', async (t) => {
  const receiver = await startReceiver(t)
  const { webhooks } = startWebhooks(t, [receiver.url])

  webhooks.hooks.onLoad!(openDocument(t, 'team/notes').document)
  await receiver.waitForCalls(1)

  const [{ headers, rawBody, body }] = receiver.calls as [(typeof receiver.calls)[number]]
  assert.equal(headers['content-type'], 'application/json')
  assert.equal(headers['x-collab-event'], 'document.loaded')
  assert.equal(headers['user-agent'], 'collab-server-webhooks')
  assert.equal(headers.cookie, undefined)
  assert.equal(headers.authorization, undefined)
  const signature = String(headers['x-collab-signature'])
  assert.ok(verifySignature(testSecret, rawBody, signature))
  const signedAtSeconds = Number(/^t=(\d+),v1=[0-9a-f]{64}$/.exec(signature)?.[1])
  assert.ok(Math.abs(signedAtSeconds - Date.now() / 1000) < 5, 't is the time of the attempt')

  assert.deepEqual(Object.keys(body).sort(), ['authors', 'document', 'event', 'id', 'time'])
  assert.match(body.id, uuid)
  assert.equal(body.event, 'document.loaded')
  assert.equal(body.document, 'team/notes')
  assert.match(body.time, isoTime)
  assert.ok(Math.abs(Date.parse(body.time) - Date.now()) < 5_000)
  assert.deepEqual(body.authors, [])
})

test('leaves out X-Collab-Signature when no secret is set', async (t) => {
  const receiver = await startReceiver(t)
  const { webhooks } = startWebhooks(t, [receiver.url], { secret: undefined })

  webhooks.hooks.onLoad!(openDocument(t, 'notes').document)
  await receiver.waitForCalls(1)
  assert.equal(receiver.calls[0]!.headers['x-collab-signature'], undefined)
})

test('a burst of 50 changes gives one document.changed with every distinct author', async (t) => {
  const receiver = await startReceiver(t)
  const { webhooks } = startWebhooks(t, [receiver.url], { debounceMs: 100 })
  const { document, doc } = openDocument(t, 'notes')
  const people: Author[] = [
    { userId: 'ada', name: 'Ada' },
    { userId: 'grace' },
    { userId: 'linus', name: 'Linus' },
  ]

  for (let change = 0; change < 50; change++) {
    appendParagraph(doc, `change ${change}`)
    const authors = change % 4 === 3 ? [] : [people[change % 3]!]
    webhooks.hooks.onChange!(document, { authors, origin: apiOrigin })
  }
  await receiver.waitForCalls(1, 'document.changed')
  // Unloading would send a change still pending; the unload shows there was none left.
  webhooks.hooks.onUnload!(document)
  await receiver.waitForCalls(2, 'document.unloaded')

  const events = receiver.calls.map((call) => call.body.event)
  assert.deepEqual(events, ['document.changed', 'document.unloaded'])
  const [changed, unloaded] = receiver.calls
  assert.deepEqual(changed!.body.authors, people)
  assert.equal(changed!.headers['x-collab-event'], 'document.changed')
  assert.deepEqual(unloaded!.body.authors, [])
})

test('authors are counted from the last document.changed on, and keep a name once given', async (t) => {
  const receiver = await startReceiver(t)
  const { webhooks } = startWebhooks(t, [receiver.url], { debounceMs: 20 })
  const { document } = openDocument(t, 'notes')
  const change = (...authors: Author[]) =>
    webhooks.hooks.onChange!(document, { authors, origin: apiOrigin })

  change({ userId: 'ada', name: 'Ada' }, { userId: 'grace' })
  await receiver.waitForCalls(1)
  change({ userId: 'linus' })
  change({ userId: 'linus', name: 'Linus' })
  change({ userId: 'linus' })
  await receiver.waitForCalls(2)

  assert.deepEqual(
    receiver.calls.map((call) => call.body.authors),
    [[{ userId: 'ada', name: 'Ada' }, { userId: 'grace' }], [{ userId: 'linus', name: 'Linus' }]],
  )
})

test('a document changed without pause gets a document.changed at least every max wait', async (t) => {
  const receiver = await startReceiver(t)
  const debounceMs = 200
  const maxWaitMs = 600
  const { webhooks } = startWebhooks(t, [receiver.url], { debounceMs, maxWaitMs })
  const { document, doc } = openDocument(t, 'notes')

  // One change every 20 ms for 2 s: never quiet for the debounce time.
  const startedMs = Date.now()
  let lastChangeMs = startedMs
  await new Promise<void>((resolve) => {
    const changes = setInterval(() => {
      appendParagraph(doc, 'more')
      webhooks.hooks.onChange!(document, { authors: [{ userId: 'ada' }], origin: apiOrigin })
      lastChangeMs = Date.now()
      if (lastChangeMs - startedMs >= 2_000) {
        clearInterval(changes)
        resolve()
      }
    }, 20)
  })
  await until(() => receiver.calls.some((call) => call.receivedAtMs > lastChangeMs + debounceMs), {
    what: 'the document.changed after the last change',
  })

  const times = receiver.of('document.changed').map((call) => Date.parse(call.body.time))
  const whileChanging = times.filter((time) => time <= lastChangeMs)
  assert.ok(whileChanging.length >= 2, `${whileChanging.length} calls while the changes went on`)
  const gaps = times.slice(1).map((time, index) => time - times[index]!)
  for (const gap of [whileChanging[0]! - startedMs, ...gaps]) {
    assert.ok(gap < 2 * maxWaitMs, `${gap} ms between calls`)
  }
})

test('unloading sends the pending change first, with the content as it is at the unload', async (t) => {
  const receiver = await startReceiver(t)
  const { webhooks } = startWebhooks(t, [receiver.url], { debounceMs: 100, content: 'text' })
  const first = openDocument(t, 'first')
  const second = openDocument(t, 'second')

  webhooks.hooks.onLoad!(first.document)
  appendParagraph(first.doc, 'typed')
  webhooks.hooks.onChange!(first.document, { authors: [{ userId: 'ada' }], origin: apiOrigin })
  appendParagraph(first.doc, 'last words')
  webhooks.hooks.onUnload!(first.document)
  // The second document's change is due when a change left pending for the first would be.
  webhooks.hooks.onChange!(second.document, { authors: [], origin: apiOrigin })
  await receiver.waitForCalls(4)

  const sent = receiver.calls.map(({ body }) => [body.event, body.document, body.content])
  assert.deepEqual(sent, [
    ['document.loaded', 'first', undefined],
    ['document.changed', 'first', 'typed\n\nlast words'],
    ['document.unloaded', 'first', undefined],
    ['document.changed', 'second', ''],
  ])
  assert.deepEqual(receiver.calls[1]!.body.authors, [{ userId: 'ada' }])
})

const expectedContent = {
  text: 'Plan\n\nRead the whole brief\n\nWrite\nTest',
  markdown: '## Plan\n\nRead the **whole** [brief](https://example.com/brief)\n\n* Write\n* Test',
  json: notes,
} as const

for (const format of ['text', 'markdown', 'json'] as const) {
  test(`sends the document as ${format} with document.changed, and only there, when --webhook-content is ${format}`, async (t) => {
    const receiver = await startReceiver(t)
    const { webhooks } = startWebhooks(t, [receiver.url], { debounceMs: 20, content: format })
    const { document } = openDocument(t, 'notes', notes)

    webhooks.hooks.onLoad!(document)
    webhooks.hooks.onChange!(document, { authors: [], origin: apiOrigin })
    await receiver.waitForCalls(2)

    assert.equal('content' in receiver.of('document.loaded')[0]!.body, false)
    assert.deepEqual(receiver.of('document.changed')[0]!.body.content, expectedContent[format])
  })
}

test('sends an event without content when the document cannot be read, and logs why', async (t) => {
  const receiver = await startReceiver(t)
  const { webhooks, logs } = startWebhooks(t, [receiver.url], { content: 'markdown' })
  const closed = {
    name: 'gone',
    read: () => {
      throw new Error('the document gone is no longer open')
    },
  }

  webhooks.hooks.onChange!(closed, { authors: [], origin: apiOrigin })
  await receiver.waitForCalls(1)

  assert.equal('content' in receiver.calls[0]!.body, false)
  const warning = logs.find((line) => line.document === 'gone' && line.level === 40)
  assert.equal(warning?.msg, 'could not read the document content; sending the event without it')
})

test('leaves changes relayed from another instance to that instance', async (t) => {
  const receiver = await startReceiver(t)
  const { webhooks } = startWebhooks(t, [receiver.url], { debounceMs: 20 })
  const relayed = openDocument(t, 'relayed').document
  const local = openDocument(t, 'local').document

  webhooks.hooks.onChange!(relayed, { authors: [], origin: { kind: 'bus', instanceId: 'b' } })
  webhooks.hooks.onChange!(local, { authors: [], origin: apiOrigin })
  await receiver.waitForCalls(1)
  webhooks.hooks.onUnload!(relayed)
  await receiver.waitForCalls(2)

  const sent = receiver.calls.map(({ body }) => [body.event, body.document])
  assert.deepEqual(sent, [
    ['document.changed', 'local'],
    ['document.unloaded', 'relayed'],
  ])
})

test('refuses options that cannot work, without repeating credentials', () => {
  const { logger } = collectLogs()
  const base = {
    urls: ['https://hooks.example.com/in'],
    debounceMs: 2_000,
    maxWaitMs: 10_000,
    logger,
  }
  const refusals = [
    { urls: [] },
    { urls: ['ftp://user:password@hooks.example.com/in?key=secret-key'] },
    { urls: ['not a url'] },
    { secret: '' },
    { maxWaitMs: 1_000 },
    { debounceMs: -1 },
    { attempts: 0 },
    { content: 'html' as 'text' },
  ]
  for (const refusal of refusals) {
    assert.throws(
      () => createWebhooks({ ...base, ...refusal }),
      (error: unknown) =>
        error instanceof RangeError &&
        !/password|secret-key/.test(error.message) &&
        error.message.startsWith('webhook'),
      JSON.stringify(refusal),
    )
  }
})
