// The HTTP router (Hono): the health probe, the built editor's files, and WebSocket upgrades,
// which are routed through the same app so that refusals come from the same table.
import { type ErrorHandler, type Handler, Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { Logger } from '../logger.js'
import { type AdminContext, createAdminRoutes } from './admin-routes.js'
import type { DocumentApiContext } from './document-routes.js'
import type { CollabMetrics } from '../metrics.js'
import { type ServerStats, readinessResponse } from './health.js'
import { HttpRefusal, refusalResponse } from './replies.js'
import { requestPath } from './request-path.js'
import type { StaticFiles } from './static-files.js'
import type { UpgradeBindings } from './upgrade-bridge.js'
import type { AppBindings, AppEnv } from './app-env.js'

/** What the router serves. */
export interface HttpAppContext {
  readonly logger: Logger
  readonly stats: () => ServerStats
  /** Serves GET /metrics when set. */
  readonly metrics: CollabMetrics | undefined
  readonly staticFiles: StaticFiles | undefined
  readonly admin: AdminContext
  readonly documentApi: DocumentApiContext
  /** Takes a WebSocket upgrade of a document path (server/ws/upgrade.ts). */
  readonly upgradeDocument: (request: Request, bindings: UpgradeBindings) => Promise<Response>
}

/** The paths the document API (document-routes.ts, backup-routes.ts) answers. */
const documentApiPaths = [
  '/api/documents',
  '/api/documents/*',
  '/api/openapi.json',
  '/api/admin/backup',
  '/api/admin/restore-backup',
]

const isUpgrade = (bindings: AppBindings): bindings is UpgradeBindings => 'upgrade' in bindings

/** Builds the router. HEAD is answered by the GET routes (Hono drops the body). */
export function createHttpApp(context: HttpAppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const { staticFiles } = context

  const answerError: ErrorHandler<AppEnv> = (error, c) => {
    if (error instanceof HTTPException && error.status < 500) {
      return refusalResponse(HttpRefusal.badRequest, error.message)
    }
    context.logger.error({ err: error, path: c.req.path }, 'an HTTP request failed')
    return refusalResponse(HttpRefusal.internal, 'internal server error')
  }
  app.onError(answerError)

  // Every WebSocket upgrade names a document by its path (protocol/README.md §1).
  app.get('*', (c, next) => (isUpgrade(c.env) ? context.upgradeDocument(c.req.raw, c.env) : next()))
  app.get('/healthz', (c) => c.json(context.stats(), 200, { 'Cache-Control': 'no-store' }))
  app.get('/readyz', () => readinessResponse(context.stats()))
  const { metrics } = context
  if (metrics) {
    app.get('/metrics', async () => {
      const { contentType, body } = await metrics.scrape()
      return new Response(body, {
        headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' },
      })
    })
  }
  app.route('/api/admin', createAdminRoutes(context.admin))
  // The document API's router and schemas are built on its first request: a server nobody
  // calls the API of does not hold them (they take some 20 MB).
  let documentApi: Promise<Hono<AppEnv>> | undefined
  const loadDocumentApi = async (): Promise<Hono<AppEnv>> => {
    const { createDocumentRoutes } = await import('./document-routes.js')
    const api = new Hono<AppEnv>().route('/api', createDocumentRoutes(context.documentApi))
    api.onError(answerError)
    api.notFound((c) => refusalResponse(HttpRefusal.notFound, `no such path: ${c.req.path}`))
    return api
  }
  const answerFromDocumentApi: Handler<AppEnv> = async (c) => {
    documentApi ??= loadDocumentApi().catch((error: unknown) => {
      documentApi = undefined
      throw error
    })
    return (await documentApi).fetch(c.req.raw, c.env)
  }
  for (const path of documentApiPaths) app.all(path, answerFromDocumentApi)
  if (staticFiles) {
    app.get('*', async (c, next) => {
      const response = await staticFiles.respond(requestPath(c.env.incoming), c.req.raw.headers)
      if (response) return response
      await next()
    })
  }

  // A path that exists answers a wrong method with 405 and the methods it takes.
  const probePaths = new Set(['/healthz', '/readyz', ...(metrics ? ['/metrics'] : [])])
  const methodsOf = async (path: string): Promise<string | null> => {
    if (path === '/api/admin/revocations') return 'POST'
    if (probePaths.has(path) || (await staticFiles?.has(path)) === true) return 'GET, HEAD'
    return null
  }
  app.all('*', async (c) => {
    const path = requestPath(c.env.incoming)
    const methods = await methodsOf(path)
    if (methods) {
      return refusalResponse(
        HttpRefusal.methodNotAllowed,
        `${c.req.method} is not allowed on ${path}; use ${methods.replace(', ', ' or ')}`,
        { Allow: methods },
      )
    }
    return refusalResponse(HttpRefusal.notFound, `no such path: ${path}`)
  })
  return app
}
