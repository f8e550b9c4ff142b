// The version routes of the document API: list and name versions, read one in any format,
// delete and restore one. Added to the API router by document-routes.ts, with its helpers.
import { type OpenAPIHono, createRoute } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { VersionInfo } from '../../persistence/store.js'
import type { Principal } from '../auth.js'
import type { DocumentFormats } from '../documents/document-formats.js'
import type { CollabDocuments } from '../documents/documents.js'
import type { ApiNeed } from './api-access.js'
import type { AppEnv } from './app-env.js'
import {
  DocumentParams,
  FormatQuery,
  NewVersionSchema,
  RestoredSchema,
  VersionListSchema,
  VersionParams,
  VersionSchema,
  errors,
  iso,
  json,
} from './document-schemas.js'

/** What the version routes use of the document API's router (document-routes.ts). */
export interface VersionRouteHelpers {
  readonly documents: CollabDocuments
  /** Runs `answer` for the document the URL names and an allowed principal; maps what it throws. */
  readonly handle: (
    c: Context<AppEnv>,
    need: ApiNeed,
    answer: (name: string, principal: Principal) => Promise<Response>,
  ) => Promise<Response>
  /** The format asked for, or the refusal of an unknown one. */
  readonly formatOf: (requested: string | undefined) => Promise<string | Response>
  /** The content reply: the state for `yjs`, else what `render` makes of it. */
  readonly contentResponse: (
    format: string,
    state: () => Promise<Uint8Array>,
    render: (formats: DocumentFormats) => Promise<{ contentType: string; body: string }>,
  ) => Promise<Response>
}

/** A version as the API shows it. */
const versionJson = (version: VersionInfo) => ({
  id: version.id,
  name: version.name,
  kind: version.kind,
  createdAt: iso(version.createdAtMs),
  authors: version.authors.map((author) => ({
    userId: author.userId,
    name: author.name,
    verified: author.isVerified,
    clientIds: [...author.clientIds],
  })),
  bytes: version.bytes,
})

/** Adds the version routes under /documents/{name}/versions to the API router. */
export function addVersionRoutes(routes: OpenAPIHono<AppEnv>, helpers: VersionRouteHelpers): void {
  const { documents, handle, formatOf, contentResponse } = helpers

  routes.openapi(
    createRoute({
      method: 'get',
      path: '/documents/{name}/versions',
      summary: 'A document’s versions, newest first',
      request: { params: DocumentParams },
      responses: { 200: json(VersionListSchema, 'The versions'), ...errors(400, 401, 403, 404) },
    }),
    (c) =>
      handle(c, 'read', async (name) =>
        c.json({ versions: (await documents.versions(name)).map(versionJson) }, 200),
      ),
  )

  routes.openapi(
    createRoute({
      method: 'post',
      path: '/documents/{name}/versions',
      summary: 'Save a named version of the document as it is now',
      request: {
        params: DocumentParams,
        body: { content: { 'application/json': { schema: NewVersionSchema } }, required: true },
      },
      responses: {
        201: json(VersionSchema, 'The new version'),
        ...errors(400, 401, 403, 404, 503),
      },
    }),
    (c) =>
      handle(c, 'write', async (name) => {
        const version = await documents.saveVersion(name, c.req.valid('json').name)
        return c.json(versionJson(version), 201)
      }),
  )

  routes.openapi(
    createRoute({
      method: 'get',
      path: '/documents/{name}/versions/{id}/content',
      summary: 'A version’s content',
      request: { params: VersionParams, query: FormatQuery },
      responses: {
        200: { description: 'The version in the format asked for' },
        ...errors(400, 401, 403, 404),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param')
      return handle(c, 'read', async (name) => {
        const format = await formatOf(c.req.valid('query').format)
        if (format instanceof Response) return format
        const { content } = await documents.version(name, id)
        return contentResponse(
          format,
          () => Promise.resolve(content),
          (formats) => documents.readVersion(name, id, (doc) => formats.render(doc, format)),
        )
      })
    },
  )

  routes.openapi(
    createRoute({
      method: 'delete',
      path: '/documents/{name}/versions/{id}',
      summary: 'Delete a version',
      description:
        'What it changed stays in the versions after it; named versions are kept until deleted so.',
      request: { params: VersionParams },
      responses: { 204: { description: 'Deleted' }, ...errors(400, 401, 403, 404, 503) },
    }),
    (c) => {
      const { id } = c.req.valid('param')
      return handle(c, 'admin', async (name) => {
        await documents.deleteVersion(name, id)
        return c.body(null, 204)
      })
    },
  )

  routes.openapi(
    createRoute({
      method: 'post',
      path: '/documents/{name}/versions/{id}/restore',
      summary: 'Restore a version',
      description:
        'The document’s content becomes the version’s, as a new change that connected clients see at once; the state before it is saved first as a version of kind `restore`.',
      request: { params: VersionParams },
      responses: { 200: json(RestoredSchema, 'Restored'), ...errors(400, 401, 403, 404, 503) },
    }),
    (c) => {
      const { id } = c.req.valid('param')
      return handle(c, 'write', async (name, principal) =>
        c.json(await documents.restore(name, id, principal), 200),
      )
    },
  )
}
