// Every refusal the server answers over HTTP, from one table: a status and a `COLLAB_…` code, sent
// as JSON `{ error, reason }`, for plain requests and refused WebSocket upgrades alike.
import type { Refusal } from '../auth.js'

/** The refusals of the HTTP layer and the upgrade, by name: status and error code. */
export const HttpRefusal = {
  badRequest: { status: 400, error: 'COLLAB_BAD_REQUEST' },
  badDocumentName: { status: 400, error: 'COLLAB_BAD_DOCUMENT_NAME' },
  notWebSocket: { status: 400, error: 'COLLAB_NOT_WEBSOCKET' },
  unauthenticated: { status: 401, error: 'COLLAB_UNAUTHENTICATED' },
  forbidden: { status: 403, error: 'COLLAB_FORBIDDEN' },
  originNotAllowed: { status: 403, error: 'COLLAB_ORIGIN_NOT_ALLOWED' },
  notFound: { status: 404, error: 'COLLAB_NOT_FOUND' },
  documentNotFound: { status: 404, error: 'COLLAB_DOCUMENT_NOT_FOUND' },
  versionNotFound: { status: 404, error: 'COLLAB_VERSION_NOT_FOUND' },
  badContent: { status: 400, error: 'COLLAB_BAD_CONTENT' },
  badBackup: { status: 400, error: 'COLLAB_BAD_BACKUP' },
  storeNotEmpty: { status: 409, error: 'COLLAB_STORE_NOT_EMPTY' },
  openElsewhere: { status: 409, error: 'COLLAB_OPEN_ELSEWHERE' },
  preconditionFailed: { status: 412, error: 'COLLAB_PRECONDITION_FAILED' },
  documentTooLarge: { status: 413, error: 'COLLAB_DOCUMENT_TOO_LARGE' },
  documentUnavailable: { status: 503, error: 'COLLAB_DOCUMENT_UNAVAILABLE' },
  methodNotAllowed: { status: 405, error: 'COLLAB_METHOD_NOT_ALLOWED' },
  payloadTooLarge: { status: 413, error: 'COLLAB_PAYLOAD_TOO_LARGE' },
  tooManyConnections: { status: 429, error: 'COLLAB_TOO_MANY_CONNECTIONS' },
  internal: { status: 500, error: 'COLLAB_INTERNAL' },
  documentFull: { status: 503, error: 'COLLAB_DOCUMENT_FULL' },
  loadFailed: { status: 503, error: 'COLLAB_LOAD_FAILED' },
  draining: { status: 503, error: 'COLLAB_DRAINING' },
  tooManyDocuments: { status: 503, error: 'COLLAB_TOO_MANY_DOCUMENTS' },
  storeUnavailable: { status: 503, error: 'COLLAB_STORE_UNAVAILABLE' },
  clusterUnavailable: { status: 503, error: 'COLLAB_CLUSTER_UNAVAILABLE' },
} as const satisfies Record<string, { status: number; error: string }>

/** One entry of the table, or an authenticator's refusal. */
export type RefusalKind = (typeof HttpRefusal)[keyof typeof HttpRefusal] | Refusal

// The error code of each refusal sent, so that metrics and access logs need not parse its body.
const errorCodes = new WeakMap<Response, string>()

/** The JSON reply for a refusal; `headers` adds e.g. `Allow` to a 405. */
export function refusalResponse(
  kind: RefusalKind,
  reason: string,
  headers: Record<string, string> = {},
): Response {
  const response = Response.json(
    { error: kind.error, reason },
    { status: kind.status, headers: { 'Cache-Control': 'no-store', ...headers } },
  )
  errorCodes.set(response, kind.error)
  return response
}

/** The `COLLAB_…` code of a response `refusalResponse` built; undefined for any other. */
export const refusalErrorOf = (response: Response): string | undefined => errorCodes.get(response)
