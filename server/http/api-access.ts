// Who may do what through the HTTP API: read access to read a document, write access to change
// or restore it, admin (or authentication off) for server-wide operations (list every document,
// delete, back up, restore a backup).
import type { Context } from 'hono'
import type { Principal } from '../auth.js'
import type { AppBindings, AppEnv } from './app-env.js'
import { HttpRefusal, refusalResponse } from './replies.js'

/** What an API call may need. */
export type ApiNeed = 'read' | 'write' | 'admin'

/** What deciding access needs; owned by the server. */
export interface ApiAccessContext {
  /** The request's principal, or the response refusing it (server/http/request-auth.ts). */
  readonly authenticate: (request: Request, env: AppBindings) => Promise<Principal | Response>
  /** False when everyone may do everything (no authenticator was given). */
  readonly isAuthenticationOn: boolean
}

/** The request's principal, or the refusal, for `need` with the document `name`. */
export type ApiAccess = (
  c: Context<AppEnv>,
  need: ApiNeed,
  name?: string,
) => Promise<Principal | Response>

/** Builds the access check. */
export function apiAccess(context: ApiAccessContext): ApiAccess {
  return async (c, need, name) => {
    const principal = await context.authenticate(c.req.raw, c.env)
    if (principal instanceof Response) return principal
    if (need === 'admin') {
      if (seesEveryDocument(context, principal)) return principal
      return refusalResponse(HttpRefusal.forbidden, 'this needs an admin token')
    }
    const access = name === undefined ? null : principal.access(name)
    if (access === null) return refusalResponse(HttpRefusal.forbidden, 'no access to this document')
    if (need === 'write' && access !== 'write') {
      return refusalResponse(HttpRefusal.forbidden, 'this token may only read this document')
    }
    return principal
  }
}

/** Whether `principal` may see every document (admin, or authentication off). */
export const seesEveryDocument = (context: ApiAccessContext, principal: Principal): boolean =>
  principal.isAdmin === true || !context.isAuthenticationOn
