// Versions against a real server with stock y-websocket clients: automatic versions while a
// document is edited (and none while it is not), on unload and on shutdown, named versions,
// who the authors are with and without authentication, restore, retention, and a restart.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { connectProvider, waitSynced } from '../helpers/client.js'
import {
  type AuthorJson,
  type VersionJson,
  appendParagraphs,
  assertRefusal,
  contentOf,
  documentPath,
  fragmentXml,
  jsonOf,
  jwtAuthenticator,
  putContent,
  request,
  saveNamedVersion,
  textOrNull,
  tokenFor,
  versionContentOf,
  versionsOf,
} from '../helpers/document-api.js'
import { type TestServer, startServer } from '../helpers/start-server.js'
import { holdsFor } from '../helpers/holds-for.js'
import { wrapStore } from '../helpers/store-wrapper.js'
import { until } from '../helpers/until.js'

/** A short version interval, so that automatic versions come within a test. */
const intervalMs = 200

/** A stock client of `name` announcing `user` in its awareness, synced. */
async function joinAs(
  t: Parameters<typeof connectProvider>[0],
  server: TestServer,
  name: string,
  user: Record<string, unknown> | null,
  params?: Record<string, string>,
): Promise<WebsocketProvider> {
  const provider = connectProvider(t, server.url, name, new Y.Doc(), { params })
  if (user) provider.awareness.setLocalStateField('user', user)
  await waitSynced(provider)
  return provider
}

/** Waits until the server's document reads as `text`. */
function untilText(server: TestServer, name: string, text: string): Promise<void> {
  return until(async () => (await textOrNull(server, name)) === text, {
    what: `${name} to read ${JSON.stringify(text)}`,
  })
}

/** Waits until the document has `count` versions and returns them, newest first. */
async function untilVersions(
  server: TestServer,
  name: string,
  count: number,
): Promise<VersionJson[]> {
  let versions: VersionJson[] = []
  await until(
    async () => {
      const reply = await request(server, 'GET', `${documentPath(name)}/versions`)
      versions =
        reply.status === 200 ? jsonOf<{ versions: VersionJson[] }>(reply, 200).versions : []
      return versions.length >= count
    },
    { what: `${count} version(s) of ${name}` },
  )
  assert.equal(versions.length, count, 'no more versions than awaited')
  return versions
}

const byUser = (a: AuthorJson, b: AuthorJson): number =>
  (a.userId ?? a.name ?? '').localeCompare(b.userId ?? b.name ?? '')

test('while a client edits, an automatic version is saved one interval after the first change', async (t) => {
  const server = await startServer(t, { limits: { versionIntervalMs: intervalMs } })
  const client = await joinAs(t, server, 'edited', { name: 'Ann' })
  const author = { userId: null, name: 'Ann', verified: false, clientIds: [client.doc.clientID] }

  const firstEditAtMs = Date.now()
  appendParagraphs(client.doc, 'one')
  const [first] = await untilVersions(server, 'edited', 1)
  assert.equal(first!.kind, 'auto')
  assert.equal(first!.name, null)
  assert.ok(
    Date.parse(first!.createdAt) - firstEditAtMs >= intervalMs - 2,
    `saved ${Date.parse(first!.createdAt) - firstEditAtMs} ms after the edit`,
  )
  assert.deepEqual(first!.authors, [author])
  assert.equal(await versionContentOf(server, 'edited', first!.id, 'text'), 'one')

  const secondEditAtMs = Date.now()
  appendParagraphs(client.doc, 'two')
  const versions = await untilVersions(server, 'edited', 2)
  const second = versions[0]!
  assert.equal(versions[1]!.id, first!.id, 'newest first')
  assert.ok(second.id > first!.id, 'ids sort in the order versions were saved')
  assert.equal(second.kind, 'auto')
  assert.ok(Date.parse(second.createdAt) - secondEditAtMs >= intervalMs - 2)
  assert.deepEqual(second.authors, [author], 'the authors since the version before')
  assert.equal(await versionContentOf(server, 'edited', second.id, 'text'), 'one\n\ntwo')
  // Stored as what changed since the first: smaller than the whole document it reads as.
  const whole = await request(
    server,
    'GET',
    `${documentPath('edited')}/versions/${second.id}/content?format=yjs`,
  )
  assert.ok(second.bytes > 0 && second.bytes < whole.bytes.length, `${second.bytes} bytes stored`)
})

test('no automatic version is saved while nothing changes, nor when the unchanged document unloads', async (t) => {
  const server = await startServer(t, { limits: { versionIntervalMs: intervalMs } })
  const client = await joinAs(t, server, 'idle', { name: 'Ann' })
  appendParagraphs(client.doc, 'written once')
  const versions = await untilVersions(server, 'idle', 1)

  // A timer started by any change would have fired within one interval; watch for four.
  const ids = (list: VersionJson[]): string => list.map((version) => version.id).join()
  await holdsFor(async () => ids(await versionsOf(server, 'idle')) === ids(versions), {
    durationMs: 4 * intervalMs,
    what: 'the version list of an unchanged document',
  })
  // Leaving the unchanged document unloads it without a version either.
  const unloads = server.events.count('unloaded', 'idle')
  client.destroy()
  await server.events.waitFor('unloaded', 'idle', unloads + 1)
  assert.equal(ids(await versionsOf(server, 'idle')), ids(versions))

  // The timer still works: a change is versioned again.
  const again = await joinAs(t, server, 'idle', { name: 'Ann' })
  appendParagraphs(again.doc, 'and again')
  const [newest] = await untilVersions(server, 'idle', 2)
  assert.equal(
    await versionContentOf(server, 'idle', newest!.id, 'text'),
    'written once\n\nand again',
  )
})

test('a version is saved when the document unloads after its last client left', async (t) => {
  const server = await startServer(t, { limits: { versionIntervalMs: 60_000 } })
  const client = await joinAs(t, server, 'left', { name: 'Ann' })
  appendParagraphs(client.doc, 'before leaving')
  await untilText(server, 'left', 'before leaving')
  assert.deepEqual(await versionsOf(server, 'left'), [], 'the interval is far off')

  const clientId = client.doc.clientID
  client.destroy()
  await server.events.waitFor('unloaded', 'left')
  const [version, ...others] = await versionsOf(server, 'left')
  assert.deepEqual(others, [])
  assert.equal(version!.kind, 'auto')
  assert.deepEqual(version!.authors, [
    { userId: null, name: 'Ann', verified: false, clientIds: [clientId] },
  ])
  assert.equal(await versionContentOf(server, 'left', version!.id, 'text'), 'before leaving')
})

test('a version is saved on shutdown, and versions and content survive a restart', async (t) => {
  const limits = { versionIntervalMs: 60_000, unloadGraceMs: 60_000 }
  const first = await startServer(t, { limits })
  const client = await joinAs(t, first, 'kept', { name: 'Ann' })
  appendParagraphs(client.doc, 'one')
  await untilText(first, 'kept', 'one')
  const named = await saveNamedVersion(first, 'kept', 'first paragraph')
  appendParagraphs(client.doc, 'two')
  await untilText(first, 'kept', 'one\n\ntwo')
  const entryBefore = jsonOf<Record<string, unknown>>(
    await request(first, 'GET', documentPath('kept')),
    200,
  )
  // The client stays connected: only the shutdown can save this version.
  await first.stop()
  client.destroy()

  const second = await startServer(t, { dataDirectory: first.dataDirectory, limits })
  const versions = await versionsOf(second, 'kept')
  assert.deepEqual(
    versions.map((version) => version.kind),
    ['auto', 'named'],
  )
  assert.deepEqual(versions[1], named, 'the named version, as it was listed before')
  assert.equal(await versionContentOf(second, 'kept', versions[0]!.id, 'text'), 'one\n\ntwo')
  assert.equal(await versionContentOf(second, 'kept', named.id, 'text'), 'one')
  assert.equal(await contentOf(second, 'kept', 'text'), 'one\n\ntwo')
  const entryAfter = jsonOf<Record<string, unknown>>(
    await request(second, 'GET', documentPath('kept')),
    200,
  )
  assert.equal(entryAfter.createdAt, entryBefore.createdAt)

  const rejoined = await joinAs(t, second, 'kept', null)
  assert.equal(fragmentXml(rejoined.doc), '<paragraph>one</paragraph><paragraph>two</paragraph>')
})

test('POST saves a named version of the document as it is, readable in every format', async (t) => {
  const server = await startServer(t)
  await putContent(server, 'named', 'markdown', '# Title\n\nBody')
  const version = await saveNamedVersion(server, 'named', '  Release 1  ')
  assert.equal(version.kind, 'named')
  assert.equal(version.name, 'Release 1')
  assert.ok(version.bytes > 0)
  assert.equal(new Date(version.createdAt).toISOString(), version.createdAt)
  const namedOnes = async (): Promise<VersionJson[]> =>
    (await versionsOf(server, 'named')).filter((v) => v.kind === 'named')
  // (The PUT's change is versioned too, automatically, when the document unloads.)
  assert.deepEqual(await namedOnes(), [version])

  await putContent(server, 'named', 'text', 'changed since')
  assert.equal(await versionContentOf(server, 'named', version.id, 'markdown'), '# Title\n\nBody')
  assert.equal(
    await versionContentOf(server, 'named', version.id, 'html'),
    '<h1>Title</h1><p>Body</p>',
  )
  assert.equal(await versionContentOf(server, 'named', version.id, 'text'), 'Title\n\nBody')
  const state = await request(
    server,
    'GET',
    `${documentPath('named')}/versions/${version.id}/content?format=yjs`,
  )
  assert.equal(state.headers.get('content-type'), 'application/octet-stream')
  const doc = new Y.Doc()
  t.after(() => doc.destroy())
  Y.applyUpdate(doc, state.bytes)
  assert.equal(fragmentXml(doc), '<heading level="1">Title</heading><paragraph>Body</paragraph>')

  const post = (body: string | undefined, name = 'named') =>
    request(server, 'POST', `${documentPath(name)}/versions`, {
      body,
      headers: { 'content-type': 'application/json' },
    })
  for (const bad of ['{"name": ""}', '{"name": "   "}', '{"name": 3}', '{}', '{"name": ']) {
    assertRefusal(await post(bad), 400, 'COLLAB_BAD_REQUEST')
  }
  assertRefusal(await post('{"name": "x"}', 'absent'), 404, 'COLLAB_DOCUMENT_NOT_FOUND')
  const unknown = `${documentPath('named')}/versions/123/content`
  assertRefusal(await request(server, 'GET', unknown), 404, 'COLLAB_VERSION_NOT_FOUND')
  assert.deepEqual(await namedOnes(), [version], 'refused requests save nothing')
})

test('with authentication the authors are the tokens’ users, verified, whatever their awareness says', async (t) => {
  const server = await startServer(t, { authenticate: await jwtAuthenticator() })
  const docs = { shared: 'write' } as const
  const alice = await tokenFor({ sub: 'alice', name: 'Alice', docs })
  const bob = await tokenFor({ sub: 'bob', name: 'Bob', docs })
  const a = await joinAs(t, server, 'shared', { name: 'Mallory' }, { token: alice })
  // Bob claims to be Alice: in his awareness, which nobody verifies.
  const b = await joinAs(t, server, 'shared', { name: 'Alice', userId: 'alice' }, { token: bob })
  appendParagraphs(a.doc, 'by alice')
  appendParagraphs(b.doc, 'by bob')
  await until(
    async () => {
      const reply = await request(server, 'GET', `${documentPath('shared')}/content?format=text`, {
        token: alice,
      })
      return reply.text.includes('by alice') && reply.text.includes('by bob')
    },
    { what: 'both edits to be stored' },
  )
  const version = await saveNamedVersion(server, 'shared', 'both', alice)
  assert.deepEqual(version.authors.sort(byUser), [
    { userId: 'alice', name: 'Alice', verified: true, clientIds: [a.doc.clientID] },
    { userId: 'bob', name: 'Bob', verified: true, clientIds: [b.doc.clientID] },
  ])

  // A write through the API is Bob's too, under the client id of the server's copy.
  const put = await putContent(server, 'shared', 'text', 'replaced by bob', { token: bob })
  assert.equal(put.status, 200, put.text)
  const next = await saveNamedVersion(server, 'shared', 'api', alice)
  assert.equal(next.authors.length, 1)
  const [apiAuthor] = next.authors
  assert.deepEqual(
    { ...apiAuthor, clientIds: [] },
    {
      userId: 'bob',
      name: 'Bob',
      verified: true,
      clientIds: [],
    },
  )
  assert.equal(apiAuthor!.clientIds.length, 1)
  assert.ok(!apiAuthor!.clientIds.includes(b.doc.clientID))
})

test('a client writing under another user’s client id is listed as an author of it, not hidden', async (t) => {
  const server = await startServer(t, { authenticate: await jwtAuthenticator() })
  const docs = { shared: 'write' } as const
  const alice = await tokenFor({ sub: 'alice', docs })
  const mallory = await tokenFor({ sub: 'mallory', docs })
  const m = await joinAs(t, server, 'shared', null, { token: mallory })
  const a = await joinAs(t, server, 'shared', null, { token: alice })
  const aliceId = a.doc.clientID
  appendParagraphs(a.doc, 'by alice')
  await until(() => fragmentXml(m.doc) === '<paragraph>by alice</paragraph>', {
    what: "alice's edit to reach mallory",
  })
  // Alice leaves (Mallory keeps the document open, so no version is saved meanwhile); Mallory
  // then writes under Alice's client id, going on from Alice's last clock.
  a.destroy()
  const forged = new Y.Doc()
  t.after(() => forged.destroy())
  Y.applyUpdate(forged, Y.encodeStateAsUpdate(m.doc))
  forged.clientID = aliceId
  const known = Y.encodeStateVector(forged)
  appendParagraphs(forged, 'by mallory')
  Y.applyUpdate(m.doc, Y.encodeStateAsUpdate(forged, known))
  await until(
    async () => {
      const reply = await request(server, 'GET', `${documentPath('shared')}/content?format=text`, {
        token: alice,
      })
      return reply.text === 'by alice\n\nby mallory'
    },
    { what: "mallory's forged edit to be stored" },
  )
  const version = await saveNamedVersion(server, 'shared', 'after', alice)
  const owners = version.authors.filter((author) => author.clientIds.includes(aliceId))
  assert.deepEqual(
    owners.map((author) => author.userId).sort(),
    ['alice', 'mallory'],
    'both users who wrote with the client id are listed with it',
  )
})

test('without authentication an author is the name its client announces, unverified', async (t) => {
  const server = await startServer(t)
  const ann = await joinAs(t, server, 'open', { name: 'Ann', color: '#f00' })
  const annAgain = await joinAs(t, server, 'open', { name: 'Ann' })
  const ben = await joinAs(t, server, 'open', { name: 'Ben' })
  appendParagraphs(ann.doc, 'ann')
  appendParagraphs(annAgain.doc, 'ann in a second tab')
  appendParagraphs(ben.doc, 'ben')
  await until(async () => (await textOrNull(server, 'open'))?.split('\n\n').length === 3, {
    what: 'the three edits to be stored',
  })
  const version = await saveNamedVersion(server, 'open', 'three edits')
  const authors = version.authors.sort(byUser)
  assert.deepEqual(
    authors.map(({ clientIds, ...author }) => ({ ...author, clientIds: clientIds.sort() })),
    [
      {
        userId: null,
        name: 'Ann',
        verified: false,
        clientIds: [ann.doc.clientID, annAgain.doc.clientID].sort(),
      },
      { userId: null, name: 'Ben', verified: false, clientIds: [ben.doc.clientID] },
    ],
  )
})

test('restore brings the old content back in two connected clients, after saving the state before it', async (t) => {
  const server = await startServer(t)
  await putContent(server, 'restored', 'text', 'one\n\ntwo\n\nthree')
  const old = await saveNamedVersion(server, 'restored', 'three paragraphs')
  const a = await joinAs(t, server, 'restored', { name: 'Ann' })
  const b = await joinAs(t, server, 'restored', { name: 'Ben' })
  const paragraphs = a.doc.getXmlFragment('prosemirror')
  // Both change the second paragraph's text, at its start and at its end.
  const secondText = (doc: Y.Doc) =>
    (doc.getXmlFragment('prosemirror').get(1) as Y.XmlElement).get(0) as Y.XmlText
  secondText(a.doc).insert(0, 'changed ')
  secondText(b.doc).insert(3, ', too')
  const changed =
    '<paragraph>one</paragraph><paragraph>changed two, too</paragraph><paragraph>three</paragraph>'
  await until(() => fragmentXml(a.doc) === changed && fragmentXml(b.doc) === changed, {
    what: 'both clients to converge',
  })
  await untilText(server, 'restored', 'one\n\nchanged two, too\n\nthree')
  const jsonBefore = await contentOf(server, 'restored', 'json')
  const kept = paragraphs.toArray()

  const reply = await request(
    server,
    'POST',
    `${documentPath('restored')}/versions/${old.id}/restore`,
  )
  const { restored, before } = jsonOf<{ restored: string; before: string }>(reply, 200)
  assert.equal(restored, old.id)
  const original =
    '<paragraph>one</paragraph><paragraph>two</paragraph><paragraph>three</paragraph>'
  await until(() => fragmentXml(a.doc) === original && fragmentXml(b.doc) === original, {
    what: 'both clients to get the restored content',
  })
  assert.equal(await contentOf(server, 'restored', 'text'), 'one\n\ntwo\n\nthree')
  const now = paragraphs.toArray()
  assert.equal(now[0], kept[0], 'an unchanged paragraph keeps its Yjs item')
  assert.equal(now[2], kept[2], 'an unchanged paragraph keeps its Yjs item')

  const versions = await versionsOf(server, 'restored')
  const saved = versions.find((version) => version.id === before)
  assert.equal(versions[0]?.id, before, 'the state before is the newest version')
  assert.equal(saved?.kind, 'restore')
  assert.equal(saved.name, null)
  assert.deepEqual(
    saved.authors.map((author) => author.name).sort(),
    ['Ann', 'Ben'],
    'who changed it since the version before',
  )
  assert.equal(await versionContentOf(server, 'restored', before, 'json'), jsonBefore)
  const state = await request(
    server,
    'GET',
    `${documentPath('restored')}/versions/${before}/content?format=yjs`,
  )
  const doc = new Y.Doc()
  t.after(() => doc.destroy())
  Y.applyUpdate(doc, state.bytes)
  assert.equal(fragmentXml(doc), changed)

  // The restore is a forward change: the clients go on editing on top of it.
  appendParagraphs(a.doc, 'after')
  await until(() => fragmentXml(b.doc) === `${original}<paragraph>after</paragraph>`, {
    what: 'an edit after the restore to reach the other client',
  })
  const missing = `${documentPath('restored')}/versions/404/restore`
  assertRefusal(await request(server, 'POST', missing), 404, 'COLLAB_VERSION_NOT_FOUND')
})

test('retention by count prunes the oldest automatic versions and keeps named ones', async (t) => {
  const server = await startServer(t, {
    limits: { versionIntervalMs: 100 },
    versionRetention: { kind: 'count', maxCount: 2 },
  })
  const client = await joinAs(t, server, 'pruned', { name: 'Ann' })
  const seen: string[] = []
  const texts: string[] = []
  for (const paragraph of ['p1', 'p2', 'p3', 'p4']) {
    texts.push(paragraph)
    appendParagraphs(client.doc, paragraph)
    const text = texts.join('\n\n')
    // Wait for the automatic version of this edit (and the pruning after it).
    await until(
      async () => {
        const autos = (await versionsOf(server, 'pruned')).filter((v) => v.kind === 'auto')
        const newest = autos[0]
        if (!newest || seen.includes(newest.id)) return false
        if ((await versionContentOf(server, 'pruned', newest.id, 'text')) !== text) return false
        if (autos.length > 2) return false
        seen.push(newest.id)
        return true
      },
      { what: `the automatic version holding ${paragraph}` },
    )
    if (paragraph === 'p1') await saveNamedVersion(server, 'pruned', 'keep me')
  }
  const versions = await versionsOf(server, 'pruned')
  assert.deepEqual(
    versions.map((version) => [version.kind, version.name]),
    [
      ['auto', null],
      ['auto', null],
      ['named', 'keep me'],
    ],
  )
  assert.deepEqual(
    versions.filter((v) => v.kind === 'auto').map((v) => v.id),
    [seen[3], seen[2]],
  )
  const named = versions[2]!
  assert.equal(await versionContentOf(server, 'pruned', named.id, 'text'), 'p1')
  for (const id of [seen[0]!, seen[1]!]) {
    const path = `${documentPath('pruned')}/versions/${id}/content`
    assertRefusal(await request(server, 'GET', path), 404, 'COLLAB_VERSION_NOT_FOUND')
  }
})

test('when a version cannot be saved, its authors go to the next version', async (t) => {
  let failures = 1
  const server = await startServer(t, {
    wrapStore: (store) =>
      wrapStore(store, {
        putVersion: (room, info, content) =>
          failures-- > 0
            ? Promise.reject(new Error('injected putVersion failure'))
            : store.putVersion(room, info, content),
      }),
  })
  const client = await joinAs(t, server, 'retried', { name: 'Ann' })
  appendParagraphs(client.doc, 'by ann')
  await untilText(server, 'retried', 'by ann')

  const failed = await request(server, 'POST', `${documentPath('retried')}/versions`, {
    body: JSON.stringify({ name: 'lost' }),
    headers: { 'content-type': 'application/json' },
  })
  assert.equal(failed.status, 503, `the failed save answers ${failed.status}: ${failed.text}`)
  assert.deepEqual(await versionsOf(server, 'retried'), [])
  const saved = await saveNamedVersion(server, 'retried', 'saved')
  assert.deepEqual(saved.authors, [
    { userId: null, name: 'Ann', verified: false, clientIds: [client.doc.clientID] },
  ])
})
