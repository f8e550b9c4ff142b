// Access to the document API with the real JWT authenticator: no token is 401, a read-only token
// reads but cannot change anything (403), a token without access learns nothing of a document,
// and listing every document or deleting one needs an admin token.
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import * as Y from 'yjs'
import {
  type DocumentListJson,
  type VersionJson,
  assertRefusal,
  contentOf,
  documentPath,
  jsonOf,
  jwtAuthenticator,
  putContent,
  request,
  saveNamedVersion,
  tokenFor,
} from '../helpers/document-api.js'
import { type TestServer, startServer } from '../helpers/start-server.js'

interface Tokens {
  writer: string
  reader: string
  outsider: string
  admin: string
}

/** A server with JWT authentication, the tokens of four users, and `names` written by the admin. */
async function setUp(
  t: TestContext,
  names: string[] = [],
): Promise<{ server: TestServer; tokens: Tokens }> {
  const server = await startServer(t, { authenticate: await jwtAuthenticator() })
  const tokens = {
    writer: await tokenFor({ sub: 'writer', docs: { 'team/*': 'write' } }),
    reader: await tokenFor({ sub: 'reader', docs: { 'team/*': 'read' } }),
    outsider: await tokenFor({ sub: 'outsider', docs: { 'other/*': 'write' } }),
    admin: await tokenFor({ sub: 'admin', admin: true, docs: { '*': 'write' } }),
  }
  for (const name of names) {
    const reply = await putContent(server, name, 'text', `content of ${name}`, {
      token: tokens.admin,
    })
    assert.equal(reply.status, 201, reply.text)
  }
  return { server, tokens }
}

/** Every route of one document, with a body where it takes one. */
function routesOf(name: string, versionId = '1'): Array<[string, string, string?]> {
  const path = documentPath(name)
  return [
    ['GET', path],
    ['GET', `${path}/content?format=text`],
    ['PUT', `${path}/content?format=text`, 'changed'],
    ['DELETE', path],
    ['GET', `${path}/versions`],
    ['POST', `${path}/versions`, '{"name":"v"}'],
    ['GET', `${path}/versions/${versionId}/content`],
    ['POST', `${path}/versions/${versionId}/restore`],
    ['GET', `${path}/inspect`],
    ['POST', `${path}/compact`],
  ]
}

const json = { 'content-type': 'application/json' }

test('every API route answers 401 without a token or with a bad one', async (t) => {
  const { server } = await setUp(t, ['team/notes'])
  const routes: Array<[string, string, string?]> = [
    ['GET', '/api/documents'],
    ...routesOf('team/notes'),
  ]
  for (const token of [undefined, 'not-a-token']) {
    for (const [method, path, body] of routes) {
      const reply = await request(server, method, path, { body, token, headers: json })
      assertRefusal(reply, 401, 'COLLAB_UNAUTHENTICATED')
    }
  }
})

test('a read-only token reads content and versions, and is refused every change with 403', async (t) => {
  const { server, tokens } = await setUp(t, ['team/notes'])
  const version = await saveNamedVersion(server, 'team/notes', 'v1', tokens.writer)

  const path = documentPath('team/notes')
  const token = tokens.reader
  assert.equal(
    jsonOf<{ name: string }>(await request(server, 'GET', path, { token }), 200).name,
    'team/notes',
  )
  assert.equal(await contentOf(server, 'team/notes', 'text', token), 'content of team/notes')
  const versions = jsonOf<{ versions: VersionJson[] }>(
    await request(server, 'GET', `${path}/versions`, { token }),
    200,
  )
  assert.deepEqual(
    versions.versions.filter((v) => v.kind === 'named'),
    [version],
  )
  const versionContent = await request(server, 'GET', `${path}/versions/${version.id}/content`, {
    token,
  })
  assert.equal(versionContent.status, 200)
  const inQuery = await request(server, 'GET', `${path}/content?format=text&token=${token}`)
  assert.equal(inQuery.text, 'content of team/notes', 'the token may come in the query too')

  const update = Y.encodeStateAsUpdate(new Y.Doc())
  const changes: Array<[string, string, (string | Uint8Array)?]> = [
    ['PUT', `${path}/content?format=text`, 'changed'],
    ['PUT', `${path}/content?format=yjs`, update],
    ['POST', `${path}/versions`, '{"name":"v2"}'],
    ['POST', `${path}/versions/${version.id}/restore`],
    ['POST', `${path}/compact`],
    ['DELETE', path],
  ]
  for (const [method, url, body] of changes) {
    const reply = await request(server, method, url, { body, token, headers: json })
    assertRefusal(reply, 403, 'COLLAB_FORBIDDEN')
  }
  assert.equal(await contentOf(server, 'team/notes', 'text', token), 'content of team/notes')
})

test('a token without access to a document gets 403 for it, whether it exists or not', async (t) => {
  const { server, tokens } = await setUp(t, ['team/notes'])
  for (const name of ['team/notes', 'team/absent']) {
    for (const [method, path, body] of routesOf(name)) {
      const reply = await request(server, method, path, {
        body,
        token: tokens.outsider,
        headers: json,
      })
      assertRefusal(reply, 403, 'COLLAB_FORBIDDEN')
    }
  }
  const absent = await request(server, 'GET', documentPath('team/absent'), { token: tokens.admin })
  assertRefusal(absent, 404, 'COLLAB_DOCUMENT_NOT_FOUND')
})

const names = ['other/x', 'secret', 'team/a', 'team/b']

async function listAs(server: TestServer, token: string, query = ''): Promise<DocumentListJson> {
  return jsonOf<DocumentListJson>(
    await request(server, 'GET', `/api/documents${query}`, { token }),
    200,
  )
}

test('a non-admin’s list shows only the documents it may read; an admin’s shows them all', async (t) => {
  const { server, tokens } = await setUp(t, names)
  const listed = async (token: string, query?: string): Promise<string[]> =>
    (await listAs(server, token, query)).documents.map((entry) => entry.name)
  assert.deepEqual(await listed(tokens.reader), ['team/a', 'team/b'])
  assert.deepEqual(await listed(tokens.writer), ['team/a', 'team/b'])
  assert.deepEqual(await listed(tokens.outsider), ['other/x'])
  assert.deepEqual(await listed(tokens.reader, '?prefix=other%2F'), [])
  assert.deepEqual(await listed(tokens.admin), names)
})

test('paging through a non-admin’s list finds what it may read and never names anything else', async (t) => {
  const { server, tokens } = await setUp(t, names)
  for (const limit of [1, 2, 3]) {
    const found: string[] = []
    let cursor: string | null = null
    for (let page = 0; page < names.length + 2; page++) {
      const query = `?limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`
      const reply = await request(server, 'GET', `/api/documents${query}`, { token: tokens.reader })
      for (const hidden of ['other/x', 'secret']) {
        assert.ok(
          !reply.text.includes(hidden),
          `page ${page} of ${limit} names ${hidden}: ${reply.text}`,
        )
      }
      const body = jsonOf<DocumentListJson>(reply, 200)
      found.push(...body.documents.map((entry) => entry.name))
      cursor = body.next
      if (cursor === null) break
    }
    assert.equal(cursor, null, 'the pages come to an end')
    assert.deepEqual(found, ['team/a', 'team/b'], `pages of ${limit}`)
  }
})

test('only an admin token may delete a document', async (t) => {
  const { server, tokens } = await setUp(t, ['team/notes'])
  const path = documentPath('team/notes')
  assertRefusal(
    await request(server, 'DELETE', path, { token: tokens.writer }),
    403,
    'COLLAB_FORBIDDEN',
  )
  assert.equal(
    await contentOf(server, 'team/notes', 'text', tokens.writer),
    'content of team/notes',
  )
  const deleted = await request(server, 'DELETE', path, { token: tokens.admin })
  assert.equal(deleted.status, 204)
  assertRefusal(
    await request(server, 'GET', path, { token: tokens.writer }),
    404,
    'COLLAB_DOCUMENT_NOT_FOUND',
  )
})

test('a writer’s token writes, saves versions and restores its documents', async (t) => {
  const { server, tokens } = await setUp(t, ['team/notes'])
  const token = tokens.writer
  const version = await saveNamedVersion(server, 'team/notes', 'before', token)
  const put = await putContent(server, 'team/notes', 'text', 'rewritten', { token })
  assert.equal(put.status, 200, put.text)
  const created = await putContent(server, 'team/new', 'text', 'new', { token })
  assert.equal(created.status, 201, created.text)
  const restore = await request(
    server,
    'POST',
    `${documentPath('team/notes')}/versions/${version.id}/restore`,
    { token },
  )
  assert.equal(restore.status, 200, restore.text)
  assert.equal(await contentOf(server, 'team/notes', 'text', token), 'content of team/notes')
})
