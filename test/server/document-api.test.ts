// The document API against a real server (LevelDB, stock y-websocket clients, fetch): listing,
// entries, content in every format, writes that connected clients see at once, conditional
// seeding, names holding '/', refusals of bad input and of bodies over the limit, and OpenAPI.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Y from 'yjs'
import { documentJson, type ProseMirrorJson } from '../../content/document-content.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import {
  type DocumentEntryJson,
  type DocumentListJson,
  appendParagraphs,
  assertRefusal,
  contentOf,
  documentPath,
  fragmentXml,
  jsonOf,
  putContent,
  request,
} from '../helpers/document-api.js'
import { startServer } from '../helpers/start-server.js'
import { listItem, paragraph, text } from '../helpers/prosemirror-json.js'
import { until } from '../helpers/until.js'

/** Every node and mark of the editor schema that all of json, html and markdown hold. */
const notes: ProseMirrorJson = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 1 }, content: [text('Notes')] },
    paragraph(
      text('Some '),
      text('bold', { type: 'strong' }),
      text(', '),
      text('code', { type: 'code' }),
      text(' and a '),
      text('link', { type: 'link', attrs: { href: 'https://example.com/', title: null } }),
      text('.'),
    ),
    { type: 'bullet_list', content: [listItem('First'), listItem('Second')] },
    { type: 'ordered_list', attrs: { order: 1 }, content: [listItem('one')] },
    { type: 'blockquote', content: [paragraph(text('quoted'))] },
    { type: 'code_block', content: [text('let x = 1')] },
    paragraph(text('line one'), { type: 'hard_break' }, text('line two')),
  ],
}

/** `notes` in each format, as the server renders it (so that a round trip gives it back). */
const notesIn: Record<'html' | 'markdown', string> = {
  html:
    '<h1>Notes</h1><p>Some <strong>bold</strong>, <code>code</code> and a ' +
    '<a href="https://example.com/">link</a>.</p><ul><li><p>First</p></li><li><p>Second</p></li>' +
    '</ul><ol><li><p>one</p></li></ol><blockquote><p>quoted</p></blockquote>' +
    '<pre><code>let x = 1</code></pre><p>line one<br>line two</p>',
  markdown:
    '# Notes\n\nSome **bold**, `code` and a [link](https://example.com/).\n\n* First\n* Second' +
    '\n\n1. one\n\n> quoted\n\n```\nlet x = 1\n```\n\nline one\\\nline two',
}

/** What plain text holds: paragraphs and hard breaks. */
const plainText = 'First paragraph\n\nSecond, line one\nline two\n\n  spaced  & <odd> ü'
const plainTextJson: ProseMirrorJson = {
  type: 'doc',
  content: [
    paragraph(text('First paragraph')),
    paragraph(text('Second, line one'), { type: 'hard_break' }, text('line two')),
    paragraph(text('  spaced  & <odd> ü')),
  ],
}

const jsonContentOf = async (server: { port: number }, name: string): Promise<unknown> =>
  JSON.parse(await contentOf(server, name, 'json'))

/** `value` as it comes out of JSON (ProseMirror's attrs have no prototype). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

const namesOf = (page: DocumentListJson): string[] => page.documents.map((entry) => entry.name)

async function list(server: { port: number }, query = ''): Promise<DocumentListJson> {
  return jsonOf<DocumentListJson>(await request(server, 'GET', `/api/documents${query}`), 200)
}

test('lists documents in name order, by prefix, in pages the cursor continues, with connections', async (t) => {
  const server = await startServer(t)
  for (const name of ['team/c', 'team/a', 'other', 'team/b']) {
    assert.equal((await putContent(server, name, 'text', name)).status, 201)
  }
  const a = connectProvider(t, server.url, 'team/b')
  const b = connectProvider(t, server.url, 'team/b')
  await Promise.all([waitSynced(a), waitSynced(b)])

  const all = await list(server)
  assert.deepEqual(namesOf(all), ['other', 'team/a', 'team/b', 'team/c'])
  assert.equal(all.next, null)
  for (const entry of all.documents) {
    assert.ok(entry.bytes > 0, `${entry.name} has bytes`)
    assert.equal(new Date(entry.createdAt).toISOString(), entry.createdAt)
    assert.ok(entry.updatedAt >= entry.createdAt)
  }
  const connections = Object.fromEntries(all.documents.map((e) => [e.name, e.connections]))
  assert.deepEqual(connections, { other: 0, 'team/a': 0, 'team/b': 2, 'team/c': 0 })

  assert.deepEqual(namesOf(await list(server, '?prefix=team%2F')), ['team/a', 'team/b', 'team/c'])
  const first = await list(server, '?prefix=team%2F&limit=2')
  assert.deepEqual(namesOf(first), ['team/a', 'team/b'])
  assert.ok(first.next !== null, 'a first page of two says where the next begins')
  const second = await list(
    server,
    `?prefix=team%2F&limit=2&cursor=${encodeURIComponent(first.next)}`,
  )
  assert.deepEqual(namesOf(second), ['team/c'])
  assert.equal(second.next, null)
  assert.deepEqual(namesOf(await list(server, '?prefix=nothing')), [])

  b.destroy()
  await until(
    async () => (await list(server, '?prefix=team%2Fb')).documents[0]?.connections === 1,
    { what: 'the listing to count the connection that is left' },
  )
  for (const bad of ['?limit=0', '?limit=1001', '?limit=two']) {
    assertRefusal(await request(server, 'GET', `/api/documents${bad}`), 400, 'COLLAB_BAD_REQUEST')
  }
})

test('a document never written has no entry, content or versions, and opening it does not write it', async (t) => {
  const server = await startServer(t)
  const path = documentPath('never')
  const calls: Array<[string, string]> = [
    ['GET', path],
    ['GET', `${path}/content`],
    ['GET', `${path}/content?format=yjs`],
    ['GET', `${path}/versions`],
    ['GET', `${path}/inspect`],
    ['POST', `${path}/compact`],
    ['DELETE', path],
  ]
  const check = async (when: string): Promise<void> => {
    for (const [method, url] of calls) {
      const reply = await request(server, method, url)
      assert.equal(reply.status, 404, `${method} ${url} ${when}`)
      assertRefusal(reply, 404, 'COLLAB_DOCUMENT_NOT_FOUND')
    }
    assert.deepEqual(namesOf(await list(server)), [], when)
  }
  await check('before anyone opened it')
  const provider = connectProvider(t, server.url, 'never')
  await waitSynced(provider)
  await check('while a client that wrote nothing is connected')
})

test('content round-trips through PUT and GET in json, html, markdown and text', async (t) => {
  const server = await startServer(t)
  const json = JSON.stringify(notes)
  assert.equal((await putContent(server, 'in-json', 'json', json)).status, 201)
  assert.deepEqual(await jsonContentOf(server, 'in-json'), asJson(notes))

  for (const format of ['html', 'markdown'] as const) {
    const name = `in-${format}`
    assert.equal((await putContent(server, name, format, notesIn[format])).status, 201)
    assert.equal(await contentOf(server, name, format), notesIn[format], format)
    assert.deepEqual(await jsonContentOf(server, name), asJson(notes), `${format} holds it all`)
    assert.equal(await contentOf(server, 'in-json', format), notesIn[format], `json as ${format}`)
  }
  assert.equal((await putContent(server, 'in-text', 'text', plainText)).status, 201)
  assert.equal(await contentOf(server, 'in-text', 'text'), plainText)
  assert.deepEqual(await jsonContentOf(server, 'in-text'), asJson(plainTextJson))

  const types = {
    json: 'application/json',
    html: 'text/html; charset=utf-8',
    markdown: 'text/markdown; charset=utf-8',
    text: 'text/plain; charset=utf-8',
    yjs: 'application/octet-stream',
  }
  for (const [format, type] of Object.entries(types)) {
    const reply = await request(
      server,
      'GET',
      `${documentPath('in-json')}/content?format=${format}`,
    )
    assert.equal(reply.headers.get('content-type'), type, format)
  }
  const byDefault = await request(server, 'GET', `${documentPath('in-json')}/content`)
  assert.deepEqual(JSON.parse(byDefault.text), asJson(notes), 'json is the default format')
})

test('yjs content is the whole state as a Yjs update, and a PUT of it seeds another document', async (t) => {
  const server = await startServer(t)
  await putContent(server, 'source', 'json', JSON.stringify(notes))
  const state = await request(server, 'GET', `${documentPath('source')}/content?format=yjs`)
  assert.equal(state.status, 200)
  const doc = new Y.Doc()
  t.after(() => doc.destroy())
  Y.applyUpdate(doc, state.bytes)
  assert.deepEqual(asJson(documentJson(doc)), asJson(notes))

  assert.equal((await putContent(server, 'copy', 'yjs', state.bytes)).status, 201)
  assert.deepEqual(await jsonContentOf(server, 'copy'), asJson(notes))
  const copied = await request(server, 'GET', `${documentPath('copy')}/content?format=yjs`)
  assert.deepEqual(
    Y.encodeStateVectorFromUpdate(copied.bytes),
    Y.encodeStateVectorFromUpdate(state.bytes),
    'the copy holds the very same Yjs items',
  )
})

test('PUT answers 201 when it created the document and 200 after', async (t) => {
  const server = await startServer(t)
  const created = await putContent(server, 'fresh', 'text', 'first')
  assert.deepEqual(jsonOf(created, 201), { name: 'fresh', created: true })
  const replaced = await putContent(server, 'fresh', 'text', 'second')
  assert.deepEqual(jsonOf(replaced, 200), { name: 'fresh', created: false })
  assert.equal(await contentOf(server, 'fresh', 'text'), 'second')
  const merged = await putContent(server, 'fresh', 'yjs', Y.encodeStateAsUpdate(new Y.Doc()))
  assert.deepEqual(jsonOf(merged, 200), { name: 'fresh', created: false })
  const entry = jsonOf<DocumentEntryJson>(await request(server, 'GET', documentPath('fresh')), 200)
  assert.equal(entry.name, 'fresh')
})

test('a PUT of empty content creates an empty document that GET then finds', async (t) => {
  const server = await startServer(t)
  const reply = await putContent(server, 'empty', 'text', '')
  assert.deepEqual(jsonOf(reply, 201), { name: 'empty', created: true })
  const entry = await request(server, 'GET', documentPath('empty'))
  assert.equal(entry.status, 200, `PUT answered 201 Created, yet GET says: ${entry.text}`)
  assert.equal(await contentOf(server, 'empty', 'text'), '')
})

test('PUT with format=yjs merges the update into the document instead of replacing it', async (t) => {
  const server = await startServer(t)
  await putContent(server, 'merged', 'text', 'first')
  const state = (await request(server, 'GET', `${documentPath('merged')}/content?format=yjs`)).bytes
  const local = new Y.Doc()
  t.after(() => local.destroy())
  Y.applyUpdate(local, state)
  appendParagraphs(local, 'second')
  const diff = Y.encodeStateAsUpdate(local, Y.encodeStateVectorFromUpdate(state))
  assert.equal((await putContent(server, 'merged', 'yjs', diff)).status, 200)
  assert.equal(await contentOf(server, 'merged', 'text'), 'first\n\nsecond')

  // An update of a document that never saw this one's content adds to it, deleting nothing.
  const other = new Y.Doc()
  t.after(() => other.destroy())
  other.getMap('meta').set('title', 'Merged')
  assert.equal(
    (await putContent(server, 'merged', 'yjs', Y.encodeStateAsUpdate(other))).status,
    200,
  )
  assert.equal(await contentOf(server, 'merged', 'text'), 'first\n\nsecond')
  const after = new Y.Doc()
  t.after(() => after.destroy())
  Y.applyUpdate(
    after,
    (await request(server, 'GET', `${documentPath('merged')}/content?format=yjs`)).bytes,
  )
  assert.equal(after.getMap('meta').get('title'), 'Merged')
})

test('a PUT reaches two connected stock clients at once and keeps the paragraphs it leaves unchanged', async (t) => {
  const server = await startServer(t)
  const a = connectProvider(t, server.url, 'live')
  const b = connectProvider(t, server.url, 'live')
  await Promise.all([waitSynced(a), waitSynced(b)])

  assert.equal((await putContent(server, 'live', 'text', 'one\n\ntwo\n\nthree')).status, 201)
  const before = '<paragraph>one</paragraph><paragraph>two</paragraph><paragraph>three</paragraph>'
  await until(() => fragmentXml(a.doc) === before && fragmentXml(b.doc) === before, {
    what: 'both clients to get the content',
  })
  const kept = [a.doc, b.doc].map((doc) => doc.getXmlFragment('prosemirror').toArray())

  assert.equal(
    (await putContent(server, 'live', 'markdown', 'one\n\n**TWO**\n\nthree')).status,
    200,
  )
  const after =
    '<paragraph>one</paragraph><paragraph><strong>TWO</strong></paragraph><paragraph>three</paragraph>'
  await until(() => fragmentXml(a.doc) === after && fragmentXml(b.doc) === after, {
    what: 'both clients to get the change',
  })
  for (const [index, doc] of [a.doc, b.doc].entries()) {
    const now = doc.getXmlFragment('prosemirror').toArray()
    assert.equal(now[0], kept[index]![0], 'the first paragraph is the same Yjs item')
    assert.equal(now[2], kept[index]![2], 'the last paragraph is the same Yjs item')
    assert.notEqual(now[1], kept[index]![1], 'the changed paragraph is new')
  }
  assert.equal(await contentOf(server, 'live', 'markdown'), 'one\n\n**TWO**\n\nthree')
})

/** Sends twenty `If-None-Match: *` PUTs at once; resolves with the index of the one seeded. */
async function seedConcurrently(server: { port: number }, name: string): Promise<number> {
  const replies = await Promise.all(
    Array.from({ length: 20 }, (_, index) =>
      putContent(server, name, 'text', `seed ${index}`, { headers: { 'if-none-match': '*' } }),
    ),
  )
  const statuses = replies.map((reply) => reply.status)
  assert.equal(
    statuses.filter((status) => status === 201).length,
    1,
    `statuses: ${statuses.join()}`,
  )
  assert.equal(
    statuses.filter((status) => status === 412).length,
    19,
    `statuses: ${statuses.join()}`,
  )
  for (const reply of replies) {
    if (reply.status === 412) assertRefusal(reply, 412, 'COLLAB_PRECONDITION_FAILED')
  }
  const winner = statuses.indexOf(201)
  assert.deepEqual(jsonOf(replies[winner]!, 201), { name, created: true })
  return winner
}

test('twenty concurrent If-None-Match: * PUTs seed the document once: one 201, nineteen 412', async (t) => {
  const server = await startServer(t)
  const winner = await seedConcurrently(server, 'seeded')
  assert.equal(await contentOf(server, 'seeded', 'text'), `seed ${winner}`)
  const again = await putContent(server, 'seeded', 'text', 'late', {
    headers: { 'if-none-match': '*' },
  })
  assertRefusal(again, 412, 'COLLAB_PRECONDITION_FAILED')
  assert.equal((await putContent(server, 'seeded', 'text', 'unconditional')).status, 200)
  assert.equal(await contentOf(server, 'seeded', 'text'), 'unconditional')
})

test('If-None-Match: * seeds once while a stock client connects to the same document', async (t) => {
  const server = await startServer(t)
  const provider = connectProvider(t, server.url, 'joined')
  const winner = await seedConcurrently(server, 'joined')
  await waitSynced(provider)
  const expected = `<paragraph>seed ${winner}</paragraph>`
  await until(() => fragmentXml(provider.doc) === expected, {
    what: 'the client to hold the one seeded paragraph',
  })
  assert.equal(await contentOf(server, 'joined', 'text'), `seed ${winner}`)
})

test('If-None-Match: * seeds a document that exists but was emptied', async (t) => {
  const server = await startServer(t)
  await putContent(server, 'emptied', 'text', 'something')
  assert.equal((await putContent(server, 'emptied', 'json', '')).status, 200)
  assert.equal(await contentOf(server, 'emptied', 'text'), '')
  const seeded = await putContent(server, 'emptied', 'text', 'again', {
    headers: { 'if-none-match': '*' },
  })
  assert.equal(seeded.status, 201, seeded.text)
  assert.equal(await contentOf(server, 'emptied', 'text'), 'again')
})

test("a name with '/' sent as %2F is the document the WebSocket path /a/b opens", async (t) => {
  const server = await startServer(t)
  const provider = connectProvider(t, server.url, 'a/b')
  await waitSynced(provider)
  appendParagraphs(provider.doc, 'from the socket')
  await until(
    async () => {
      const reply = await request(server, 'GET', '/api/documents/a%2Fb/content?format=text')
      return reply.status === 200 && reply.text === 'from the socket'
    },
    { what: "the API to read the socket's write" },
  )
  const entry = jsonOf<DocumentEntryJson>(await request(server, 'GET', '/api/documents/a%2Fb'), 200)
  assert.equal(entry.name, 'a/b')
  assert.equal(entry.connections, 1)
  assert.deepEqual(namesOf(await list(server)), ['a/b'])

  const put = await request(server, 'PUT', '/api/documents/a%2Fb/content?format=text', {
    body: 'from the api',
  })
  assert.equal(put.status, 200)
  await until(() => fragmentXml(provider.doc) === '<paragraph>from the api</paragraph>', {
    what: "the socket to get the API's write",
  })
})

test('refuses a bad document name with 400 COLLAB_BAD_DOCUMENT_NAME', async (t) => {
  const server = await startServer(t)
  const longest = 'x'.repeat(255)
  assert.equal((await putContent(server, longest, 'text', 'fits')).status, 201)
  for (const segment of [encodeURIComponent('x'.repeat(256)), '%01', 'a%00b', '%7F']) {
    for (const [method, suffix] of [
      ['GET', ''],
      ['GET', '/content'],
      ['PUT', '/content?format=text'],
      ['GET', '/versions'],
      ['DELETE', ''],
    ] as const) {
      const reply = await request(server, method, `/api/documents/${segment}${suffix}`, {
        body: method === 'PUT' ? 'x' : undefined,
      })
      assertRefusal(reply, 400, 'COLLAB_BAD_DOCUMENT_NAME')
    }
  }
  assert.deepEqual(namesOf(await list(server)), [longest])
})

test('refuses malformed percent-encoding in a document name with 400 COLLAB_BAD_DOCUMENT_NAME', async (t) => {
  const server = await startServer(t)
  for (const segment of ['%E0%A4%A', 'a%ZZ', '%C3']) {
    const reply = await request(server, 'PUT', `/api/documents/${segment}/content?format=text`, {
      body: 'x',
    })
    assertRefusal(reply, 400, 'COLLAB_BAD_DOCUMENT_NAME')
  }
  assert.deepEqual(namesOf(await list(server)), [])
})

test('refuses an unknown format with 400, naming the formats it knows, and writes nothing', async (t) => {
  const server = await startServer(t)
  const put = await putContent(server, 'doc', 'pdf', 'x')
  const reason = assertRefusal(put, 400, 'COLLAB_BAD_REQUEST')
  for (const format of ['yjs', 'json', 'html', 'markdown', 'text']) {
    assert.ok(reason.includes(format), `${reason} names ${format}`)
  }
  assertRefusal(await request(server, 'GET', documentPath('doc')), 404, 'COLLAB_DOCUMENT_NOT_FOUND')
  await putContent(server, 'doc', 'text', 'x')
  const get = await request(server, 'GET', `${documentPath('doc')}/content?format=pdf`)
  assertRefusal(get, 400, 'COLLAB_BAD_REQUEST')
})

test('refuses malformed JSON and Yjs bodies with 400 COLLAB_BAD_CONTENT and writes nothing', async (t) => {
  const server = await startServer(t)
  const valid = new Y.Doc()
  t.after(() => valid.destroy())
  appendParagraphs(valid, 'valid')
  const update = Y.encodeStateAsUpdate(valid)
  const bodies: Array<[string, string | Uint8Array]> = [
    ['json', '{"type": "doc", '],
    ['json', '[1, 2, 3]'],
    ['json', JSON.stringify({ type: 'doc', content: [{ type: 'no_such_node' }] })],
    ['yjs', Uint8Array.of(1, 2, 3, 255, 255, 255, 255)],
    ['yjs', update.subarray(0, update.length - 3)],
  ]
  for (const name of ['absent', 'present']) {
    if (name === 'present') await putContent(server, name, 'text', 'kept')
    for (const [format, body] of bodies) {
      const reply = await putContent(server, name, format, body)
      assertRefusal(reply, 400, 'COLLAB_BAD_CONTENT')
    }
  }
  assertRefusal(
    await request(server, 'GET', documentPath('absent')),
    404,
    'COLLAB_DOCUMENT_NOT_FOUND',
  )
  assert.equal(await contentOf(server, 'present', 'text'), 'kept')
})

/** A stream of `chunks` chunks of `bytes` bytes of 'a', sent chunked (no Content-Length). */
function chunked(chunks: number, bytes: number): ReadableStream<Uint8Array> {
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent++ === chunks) controller.close()
      else controller.enqueue(new TextEncoder().encode('a'.repeat(bytes)))
    },
  })
}

test('refuses a body over maxRequestBytes with 413, with a Content-Length or chunked', async (t) => {
  const server = await startServer(t, { limits: { maxRequestBytes: 1024 } })
  assert.equal((await putContent(server, 'limited', 'text', 'a'.repeat(1024))).status, 201)
  const declared = await putContent(server, 'limited', 'text', 'b'.repeat(1025))
  assert.match(assertRefusal(declared, 413, 'COLLAB_PAYLOAD_TOO_LARGE'), /1024 bytes/)

  const path = `${documentPath('limited')}/content?format=text`
  const streamed = await request(server, 'PUT', path, { body: chunked(3, 512) })
  assertRefusal(streamed, 413, 'COLLAB_PAYLOAD_TOO_LARGE')
  const version = await request(server, 'POST', `${documentPath('limited')}/versions`, {
    body: JSON.stringify({ name: 'v'.repeat(2000) }),
    headers: { 'content-type': 'application/json' },
  })
  assertRefusal(version, 413, 'COLLAB_PAYLOAD_TOO_LARGE')
  assert.equal(await contentOf(server, 'limited', 'text'), 'a'.repeat(1024), 'nothing written')

  const small = await request(server, 'PUT', path, { body: chunked(2, 256) })
  assert.equal(small.status, 200, small.text)
  assert.equal(await contentOf(server, 'limited', 'text'), 'a'.repeat(512))
})

test('GET /api/openapi.json is an OpenAPI document whose paths are the API’s', async (t) => {
  const server = await startServer(t)
  const reply = await request(server, 'GET', '/api/openapi.json')
  const spec = jsonOf<{
    openapi: string
    servers?: Array<{ url: string }>
    paths: Record<string, Record<string, unknown>>
  }>(reply, 200)
  assert.match(spec.openapi, /^3\./)
  // A path of the document is relative to its first server (the root when none is given).
  const base = (spec.servers?.[0]?.url ?? '').replace(/\/$/, '')
  const paths = Object.keys(spec.paths).map((path) => `${base}${path}`)
  for (const path of [
    '/api/documents',
    '/api/documents/{name}',
    '/api/documents/{name}/content',
    '/api/documents/{name}/versions',
    '/api/documents/{name}/versions/{id}/content',
    '/api/documents/{name}/versions/{id}/restore',
  ]) {
    assert.ok(paths.includes(path), `${path} is among ${paths.join(', ')}`)
  }
  const contentPath = Object.keys(spec.paths).find((path) => path.endsWith('/{name}/content'))
  assert.deepEqual(Object.keys(spec.paths[contentPath!] ?? {}).sort(), ['get', 'put'])
  // What the document says is there, is.
  const listed = await request(server, 'GET', `${base}/documents`)
  assert.equal(listed.status, 200, listed.text)
})
