// Where a request carries its token: the query, an Authorization header, or a cookie.
// Imports only types from server/auth.ts; knows nothing of what a token contains.
import type { AuthRequest } from '../server/auth.js'

/** The cookie read when no other name is configured. */
export const defaultCookieName = 'collab_token'

function bearerToken(headers: Headers): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers.get('authorization') ?? '')
  return match?.[1]
}

function cookieValue(headers: Headers, name: string): string | undefined {
  // Headers joins several Cookie headers with ', ', so split on both separators.
  for (const pair of (headers.get('cookie') ?? '').split(/[;,]/)) {
    const separator = pair.indexOf('=')
    if (separator < 0 || pair.slice(0, separator).trim() !== name) continue
    const value = pair
      .slice(separator + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
    if (value !== '') return value
  }
  return undefined
}

/**
 * The request's token, looked for in this order: the `token` query parameter (y-websocket's
 * `params: { token }`), an `Authorization: Bearer` header, the cookie `cookieName`. The cookie
 * counts only when the request comes from a trusted origin: a browser attaches cookies to
 * requests that any site starts, so otherwise it is ignored as if absent. Empty values count as
 * absent. Undefined: no token anywhere.
 */
export function readToken(request: AuthRequest, cookieName: string): string | undefined {
  const fromQuery = request.url.searchParams.get('token')
  if (fromQuery !== null && fromQuery !== '') return fromQuery
  const fromHeader = bearerToken(request.headers)
  if (fromHeader !== undefined) return fromHeader
  return request.isTrustedOrigin ? cookieValue(request.headers, cookieName) : undefined
}
