// The document API under /api/ (README "Document API"): list, read and write content in several
// formats, delete, versions and restore. Routes and validation come from Hono's OpenAPI router,
// which also generates /api/openapi.json; every refusal comes from the table in replies.ts.
import { OpenAPIHono, createRoute } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { cors } from 'hono/cors'
import { type RoomNameResult, parseRoomPath } from '../../protocol/room-name.js'
import type { DocumentInfo, DocumentQuery } from '../../persistence/store.js'
import type { Principal } from '../auth.js'
import { type ApiAccessContext, type ApiNeed, apiAccess, seesEveryDocument } from './api-access.js'
import type { DocumentFormats } from '../documents/document-formats.js'
import type { CollabDocuments, DocumentEntry, DocumentEntryPage } from '../documents/documents.js'
import type { Logger } from '../logger.js'
import type { AppEnv } from './app-env.js'
import { addBackupRoutes } from './backup-routes.js'
import { addVersionRoutes } from './version-routes.js'
import { limitBody } from './body-limit.js'
import type { OriginCheck } from './origins.js'
import { refusalOfError } from './document-errors.js'
import {
  CompactedSchema,
  ContentWrittenSchema,
  DocumentEntrySchema,
  DocumentListQuery,
  DocumentListSchema,
  DocumentParams,
  ErrorSchema,
  FormatQuery,
  InspectionSchema,
  errors,
  iso,
  json,
} from './document-schemas.js'
import { HttpRefusal, refusalResponse } from './replies.js'

/** What the document API works with; owned by the server. */
export interface DocumentApiContext extends ApiAccessContext {
  readonly documents: CollabDocuments
  /** Loads the formats besides `yjs` (once); none when the server was given none. */
  readonly formats: (() => Promise<DocumentFormats>) | undefined
  /** The request's principal, or the response refusing it (server/http/request-auth.ts). */
  readonly authenticate: (
    request: Request,
    env: AppEnv['Bindings'],
  ) => Promise<Principal | Response>
  /** False when everyone may do everything (no authenticator was given). */
  readonly isAuthenticationOn: boolean
  /** Whether the store fails now: unexpected errors are then answered with 503. */
  readonly isStoreFailing: () => boolean
  readonly maxRequestBytes: number
  /** The Origin policy of the server (origins.ts): which pages may call the API. */
  readonly checkOrigin: (headers: Headers) => OriginCheck
  readonly logger: Logger
}

const entryJson = (entry: DocumentInfo & { connections: number }) => ({
  name: entry.name,
  bytes: entry.bytes,
  createdAt: iso(entry.createdAtMs),
  updatedAt: iso(entry.updatedAtMs),
  connections: entry.connections,
})

/**
 * One page of the documents `isReadable` accepts, up to `query.limit` of them, reading the store's
 * pages until it is full or they end. Its `next` is the last document it holds: the store's own
 * cursor may name one the caller may not see.
 */
async function readablePage(
  documents: CollabDocuments,
  query: DocumentQuery,
  isReadable: (name: string) => boolean,
): Promise<DocumentEntryPage> {
  const readable: DocumentEntry[] = []
  let { after } = query
  for (;;) {
    const page = await documents.list({ ...query, after })
    for (const entry of page.documents) {
      if (!isReadable(entry.name)) continue
      readable.push(entry)
      if (readable.length < query.limit) continue
      const isLast = page.next === null && page.documents.at(-1) === entry
      return { documents: readable, next: isLast ? null : entry.name }
    }
    if (page.next === null) return { documents: readable, next: null }
    after = page.next
  }
}

/**
 * The document a request's URL names: the raw path segment after `/documents/`, decoded and
 * checked as the WebSocket path is (protocol/room-name.ts), so that both name the same document
 * and refuse the same names (Hono would keep a malformed escape such as `%E0` as it is).
 */
function documentNameOf(url: string): RoomNameResult {
  const path = new URL(url).pathname
  const marker = '/documents/'
  const segment = path.slice(path.indexOf(marker) + marker.length).split('/')[0] ?? ''
  return parseRoomPath(`/${segment}`)
}

const defaultFormat = 'json'
const defaultPageSize = 100

/** The routes, to mount under /api. */
export function createDocumentRoutes(context: DocumentApiContext): OpenAPIHono<AppEnv> {
  const routes = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return
      const issue = result.error.issues[0]
      const where = issue?.path.join('.') ?? ''
      return refusalResponse(
        HttpRefusal.badRequest,
        `${where ? `${where}: ` : ''}${issue?.message ?? 'invalid request'}`,
      )
    },
  })
  const { documents } = context

  // Editors embedded in pages of other origins call the API with a bearer token; the origins the
  // WebSocket accepts (--allowed-origins) may call it, and cookies are not sent across origins.
  routes.use(
    '*',
    cors({
      origin: (origin, c) => (context.checkOrigin(c.req.raw.headers).isAllowed ? origin : null),
      allowMethods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
      allowHeaders: ['Authorization', 'Content-Type', 'If-None-Match'],
      exposeHeaders: ['Content-Disposition'],
      maxAge: 600,
    }),
  )
  routes.use('/documents/*', limitBody(context.maxRequestBytes, '--max-request-bytes'))

  const allow = apiAccess(context)

  // Runs `answer` for the document the URL names and an allowed principal; maps what it throws.
  const handle = async (
    c: Context<AppEnv>,
    need: ApiNeed,
    answer: (name: string, principal: Principal) => Promise<Response>,
  ): Promise<Response> => {
    const parsed = documentNameOf(c.req.url)
    if (!parsed.ok) return refusalResponse(HttpRefusal.badDocumentName, parsed.reason)
    const principal = await allow(c, need, parsed.name)
    if (principal instanceof Response) return principal
    try {
      return await answer(parsed.name, principal)
    } catch (error) {
      return refusalOfError(error, context)
    }
  }

  const formatOf = async (requested: string | undefined): Promise<string | Response> => {
    const format = requested ?? defaultFormat
    if (format === 'yjs') return format
    const formats = await context.formats?.()
    if (formats?.names.includes(format)) return format
    const known = ['yjs', ...(formats?.names ?? [])].join(', ')
    return refusalResponse(
      HttpRefusal.badRequest,
      `unknown format ${JSON.stringify(format)}; use one of ${known}`,
    )
  }

  const contentResponse = async (
    format: string,
    state: () => Promise<Uint8Array>,
    render: (formats: DocumentFormats) => Promise<{ contentType: string; body: string }>,
  ): Promise<Response> => {
    // Documents are people's writing: a browser that opens an HTML rendering from this origin
    // must run nothing of it, and nothing may be sniffed into another type.
    const headers = {
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    }
    if (format === 'yjs') {
      return new Response(await state(), {
        headers: { ...headers, 'Content-Type': 'application/octet-stream' },
      })
    }
    const { contentType, body } = await render(await context.formats!())
    return new Response(body, { headers: { ...headers, 'Content-Type': contentType } })
  }

  routes.openapi(
    createRoute({
      method: 'get',
      path: '/documents',
      summary: 'List documents',
      description:
        'Every document with admin access (or without authentication); else those the token may read.',
      request: { query: DocumentListQuery },
      responses: {
        200: json(DocumentListSchema, 'One page of documents, in name order'),
        ...errors(400, 401, 403),
      },
    }),
    async (c) => {
      const principal = await context.authenticate(c.req.raw, c.env)
      if (principal instanceof Response) return principal
      const { prefix = '', limit = defaultPageSize, cursor } = c.req.valid('query')
      const isAll = seesEveryDocument(context, principal)
      try {
        const query = { prefix, limit, after: cursor ?? null }
        const page = isAll
          ? await documents.list(query)
          : await readablePage(documents, query, (name) => principal.access(name) !== null)
        return c.json({ documents: page.documents.map(entryJson), next: page.next }, 200)
      } catch (error) {
        return refusalOfError(error, context)
      }
    },
  )

  routes.openapi(
    createRoute({
      method: 'get',
      path: '/documents/{name}',
      summary: 'A document’s entry',
      request: { params: DocumentParams },
      responses: { 200: json(DocumentEntrySchema, 'The document'), ...errors(400, 401, 403, 404) },
    }),
    (c) =>
      handle(c, 'read', async (name) => {
        const entry = await documents.entry(name)
        if (!entry)
          return refusalResponse(
            HttpRefusal.documentNotFound,
            `no document named ${JSON.stringify(name)}`,
          )
        return c.json(entryJson(entry), 200)
      }),
  )

  routes.openapi(
    createRoute({
      method: 'get',
      path: '/documents/{name}/content',
      summary: 'A document’s content',
      request: { params: DocumentParams, query: FormatQuery },
      responses: {
        200: { description: 'The content in the format asked for' },
        ...errors(400, 401, 403, 404),
      },
    }),
    (c) =>
      handle(c, 'read', async (name) => {
        const format = await formatOf(c.req.valid('query').format)
        if (format instanceof Response) return format
        return contentResponse(
          format,
          () => documents.state(name),
          (formats) => documents.read(name, (doc) => formats.render(doc, format)),
        )
      }),
  )

  routes.openapi(
    createRoute({
      method: 'put',
      path: '/documents/{name}/content',
      summary: 'Replace a document’s content (or seed it)',
      description:
        'The document becomes the body read as `format`, as a change connected editors see at once; `yjs` merges the update in. With `If-None-Match: *` it is written only when the document is absent or empty: 201 when it seeded it, 412 otherwise.',
      request: { params: DocumentParams, query: FormatQuery },
      responses: {
        200: json(ContentWrittenSchema, 'Written'),
        201: json(ContentWrittenSchema, 'Written; the document was created'),
        ...errors(400, 401, 403, 412, 413, 503),
      },
    }),
    (c) =>
      handle(c, 'write', async (name, principal) => {
        const format = await formatOf(c.req.valid('query').format)
        if (format instanceof Response) return format
        const onlyIfEmpty = c.req.header('if-none-match')?.trim() === '*'
        const body = new Uint8Array(await c.req.arrayBuffer())
        const options = { onlyIfEmpty }
        let outcome
        if (format === 'yjs') outcome = await documents.merge(name, body, principal, options)
        else {
          const formats = await context.formats!()
          const source = formats.parse(format, new TextDecoder().decode(body))
          try {
            outcome = await documents.replace(name, source, principal, options)
          } finally {
            source.destroy()
          }
        }
        if (!outcome.written) {
          return refusalResponse(
            HttpRefusal.preconditionFailed,
            'the document is not empty (If-None-Match: *)',
          )
        }
        const isCreated = outcome.created || onlyIfEmpty
        return c.json({ name, created: outcome.created }, isCreated ? 201 : 200)
      }),
  )

  routes.openapi(
    createRoute({
      method: 'delete',
      path: '/documents/{name}',
      summary: 'Delete a document and its versions',
      description:
        'Connected clients are closed with 4410; a later client starts from an empty document.',
      request: { params: DocumentParams },
      responses: { 204: { description: 'Deleted' }, ...errors(400, 401, 403, 404) },
    }),
    (c) =>
      handle(c, 'admin', async (name, principal) => {
        await documents.delete(name, principal)
        return c.body(null, 204)
      }),
  )

  addVersionRoutes(routes, { documents, handle, formatOf, contentResponse })

  routes.openapi(
    createRoute({
      method: 'get',
      path: '/documents/{name}/inspect',
      summary: 'What a document holds: sizes, log, deleted content, clients, versions',
      request: { params: DocumentParams },
      responses: { 200: json(InspectionSchema, 'The inspection'), ...errors(400, 401, 403, 404) },
    }),
    (c) =>
      handle(c, 'read', async (name) => {
        const { createdAtMs, updatedAtMs, ...rest } = await documents.inspect(name)
        return c.json({ ...rest, createdAt: iso(createdAtMs), updatedAt: iso(updatedAtMs) }, 200)
      }),
  )

  routes.openapi(
    createRoute({
      method: 'post',
      path: '/documents/{name}/compact',
      summary: 'Fold the document’s update log into one state',
      request: { params: DocumentParams },
      responses: { 200: json(CompactedSchema, 'Compacted'), ...errors(400, 401, 403, 404, 503) },
    }),
    (c) =>
      handle(c, 'write', async (name) => {
        await documents.compact(name)
        return c.json({ compacted: name }, 200)
      }),
  )

  addBackupRoutes(routes, {
    documents,
    allow,
    isStoreFailing: context.isStoreFailing,
    logger: context.logger,
  })
  routes.openAPIRegistry.register('Error', ErrorSchema)
  routes.doc('/openapi.json', {
    openapi: '3.0.3',
    info: {
      title: 'collab-server document API',
      version: '1',
      description:
        'Documents of a collab-server: content in several formats, versions, restore. Tokens as for the WebSocket (Authorization: Bearer).',
    },
    // The paths above are the router's, which is mounted under /api (server/http/app.ts).
    servers: [{ url: '/api' }],
  })
  return routes
}
