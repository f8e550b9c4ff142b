// The path of an HTTP request as it arrived, shared by the router and the document upgrade.
import type { IncomingMessage } from 'node:http'

/** The request's URL path, without the query string (still percent-encoded). */
export function requestPath(request: IncomingMessage): string {
  return (request.url ?? '/').split('?', 1)[0] ?? '/'
}
