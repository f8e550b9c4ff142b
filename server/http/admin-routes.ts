// Server-wide operations under /api/admin/, for principals with `isAdmin`: for now, revoking a
// user's credentials (their open connections are closed with 4403).
import { Hono } from 'hono'
import type { Principal } from '../auth.js'
import type { AppEnv } from './app-env.js'
import { limitBody } from './body-limit.js'
import { HttpRefusal, refusalResponse } from './replies.js'

/** What the admin routes do; owned by the server. */
export interface AdminContext {
  /** The request's principal, or the response refusing it (server/http/request-auth.ts). */
  readonly authenticate: (
    request: Request,
    env: AppEnv['Bindings'],
  ) => Promise<Principal | Response>
  /** Revokes a user's credentials and closes their connections. */
  readonly revokeUser: (
    userId: string,
  ) => Promise<{ revokedAtMs: number; closedConnections: number }>
}

/** Largest request body of an admin call. */
const maxBodyBytes = 16 * 1024
const maxUserIdLength = 1024

/** Reads `{ "sub": "<user id>" }`; anything else yields a reason for a 400. */
function readRevocation(text: string): { sub: string } | string {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return 'the body must be JSON: { "sub": "<user id>" }'
  }
  const sub = (body as { sub?: unknown } | null)?.sub
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > maxUserIdLength) {
    return `"sub" must be a user id of 1 to ${maxUserIdLength} characters`
  }
  return { sub }
}

/** The routes, to mount under /api/admin. */
export function createAdminRoutes(context: AdminContext): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()
  routes.post('/revocations', limitBody(maxBodyBytes), async (c) => {
    const principal = await context.authenticate(c.req.raw, c.env)
    if (principal instanceof Response) return principal
    if (!principal.isAdmin) {
      return refusalResponse(HttpRefusal.forbidden, 'revoking credentials needs an admin token')
    }
    const revocation = readRevocation(await c.req.text())
    if (typeof revocation === 'string') return refusalResponse(HttpRefusal.badRequest, revocation)
    const { revokedAtMs, closedConnections } = await context.revokeUser(revocation.sub)
    return c.json(
      { sub: revocation.sub, revokedAt: new Date(revokedAtMs).toISOString(), closedConnections },
      201,
    )
  })
  return routes
}
