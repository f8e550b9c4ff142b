// The document HTTP API in tests: requests against /api/ of a real server (start-server.ts) with
// fetch, with the replies' JSON typed as the contract describes it, and tokens for its JWT checks.
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import { createJwtAuthenticator } from '../../auth/jwt-authenticator.js'
import { type MintTokenOptions, mintToken } from '../../auth/mint-token.js'
import type { Authenticate } from '../../server/index.js'

const jwtSecret = 'document-api-test-secret'

/** The JWT authenticator of the real server, verifying tokens that `tokenFor` mints. */
export function jwtAuthenticator(): Promise<Authenticate> {
  return createJwtAuthenticator({ secret: jwtSecret })
}

/** A signed token for `sub` that `jwtAuthenticator` accepts. */
export function tokenFor(options: Omit<MintTokenOptions, 'secret'>): Promise<string> {
  return mintToken({ secret: jwtSecret, ...options })
}

/** The API path of a document: its name as one percent-encoded segment. */
export const documentPath = (name: string): string => `/api/documents/${encodeURIComponent(name)}`

/** What a request sends besides its method and path. */
export interface RequestOptions {
  body?: string | Uint8Array | ReadableStream<Uint8Array>
  headers?: Record<string, string>
  /** Sent as `Authorization: Bearer …`. */
  token?: string
}

/** A reply, read whole. */
export interface ApiReply {
  status: number
  headers: Headers
  bytes: Uint8Array
  text: string
}

/** Sends one request to the server and reads the whole reply. */
export async function request(
  server: { port: number },
  method: string,
  path: string,
  { body, headers = {}, token }: RequestOptions = {},
): Promise<ApiReply> {
  const response = await fetch(`http://127.0.0.1:${server.port}${path}`, {
    method,
    headers: { ...headers, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body,
    // A stream body goes out chunked, without Content-Length; fetch wants this said.
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  })
  const bytes = new Uint8Array(await response.arrayBuffer())
  return {
    status: response.status,
    headers: response.headers,
    bytes,
    text: new TextDecoder().decode(bytes),
  }
}

/** The reply's body as JSON, asserting the status it came with. */
export function jsonOf<T>(reply: ApiReply, status: number): T {
  assert.equal(reply.status, status, `expected ${status}, got ${reply.status}: ${reply.text}`)
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/)
  return JSON.parse(reply.text) as T
}

/** Asserts that the reply is the refusal `{ error, reason }` with `status` and `error`. */
export function assertRefusal(reply: ApiReply, status: number, error: string): string {
  const body = jsonOf<{ error: string; reason: string }>(reply, status)
  assert.equal(body.error, error, body.reason)
  assert.equal(typeof body.reason, 'string')
  return body.reason
}

/** A document entry as the API shows it. */
export interface DocumentEntryJson {
  name: string
  bytes: number
  createdAt: string
  updatedAt: string
  connections: number
}

/** One page of the document list. */
export interface DocumentListJson {
  documents: DocumentEntryJson[]
  next: string | null
}

/** An author of a version as the API shows it. */
export interface AuthorJson {
  userId: string | null
  name: string | null
  verified: boolean
  clientIds: number[]
}

/** A version as the API shows it. */
export interface VersionJson {
  id: string
  name: string | null
  kind: 'auto' | 'named' | 'restore'
  createdAt: string
  authors: AuthorJson[]
  bytes: number
}

/** PUTs `body` as the document's content in `format`. */
export function putContent(
  server: { port: number },
  name: string,
  format: string,
  body: string | Uint8Array,
  options: Omit<RequestOptions, 'body'> = {},
): Promise<ApiReply> {
  return request(server, 'PUT', `${documentPath(name)}/content?format=${format}`, {
    ...options,
    body,
  })
}

/** The document's content in `format`, asserting a 200. */
export async function contentOf(
  server: { port: number },
  name: string,
  format: string,
  token?: string,
): Promise<string> {
  const reply = await request(server, 'GET', `${documentPath(name)}/content?format=${format}`, {
    token,
  })
  assert.equal(reply.status, 200, reply.text)
  return reply.text
}

/** The document's content as text, or null while it does not exist (404). */
export async function textOrNull(server: { port: number }, name: string): Promise<string | null> {
  const reply = await request(server, 'GET', `${documentPath(name)}/content?format=text`)
  if (reply.status === 404) return null
  assert.equal(reply.status, 200, reply.text)
  return reply.text
}

/** The document's versions, newest first, asserting a 200. */
export async function versionsOf(
  server: { port: number },
  name: string,
  token?: string,
): Promise<VersionJson[]> {
  const reply = await request(server, 'GET', `${documentPath(name)}/versions`, { token })
  return jsonOf<{ versions: VersionJson[] }>(reply, 200).versions
}

/** A version's content in `format`, asserting a 200. */
export async function versionContentOf(
  server: { port: number },
  name: string,
  id: string,
  format: string,
): Promise<string> {
  const path = `${documentPath(name)}/versions/${encodeURIComponent(id)}/content?format=${format}`
  const reply = await request(server, 'GET', path)
  assert.equal(reply.status, 200, reply.text)
  return reply.text
}

/** Saves a named version through the API, asserting a 201. */
export async function saveNamedVersion(
  server: { port: number },
  name: string,
  versionName: string,
  token?: string,
): Promise<VersionJson> {
  const reply = await request(server, 'POST', `${documentPath(name)}/versions`, {
    body: JSON.stringify({ name: versionName }),
    headers: { 'content-type': 'application/json' },
    token,
  })
  return jsonOf<VersionJson>(reply, 201)
}

/** Appends paragraphs of plain text to the editor fragment of `doc`, as y-prosemirror would. */
export function appendParagraphs(doc: Y.Doc, ...texts: string[]): void {
  const fragment = doc.getXmlFragment('prosemirror')
  const paragraphs = texts.map((text) => {
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText(text)])
    return paragraph
  })
  fragment.insert(fragment.length, paragraphs)
}

/** The editor fragment of `doc` as XML, e.g. `<paragraph>one</paragraph>`. */
export const fragmentXml = (doc: Y.Doc): string => doc.getXmlFragment('prosemirror').toString()
