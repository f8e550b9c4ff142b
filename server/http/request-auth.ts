// Who a request comes from, the same way for WebSocket upgrades and HTTP API requests: the
// Origin check, the authenticator, then the revocation list. Answers with a refusal or a principal.
import { type Authenticate, type Principal, isRefusal } from '../auth.js'
import type { Logger } from '../logger.js'
import type { Revocations } from '../revocations.js'
import type { OriginCheck } from './origins.js'
import { HttpRefusal, refusalResponse } from './replies.js'

/** What authenticating a request needs; owned by the server. */
export interface RequestAuthContext {
  readonly authenticate: Authenticate
  readonly revocations: Revocations
  readonly checkOrigin: (headers: Headers) => OriginCheck
  readonly logger: Logger
}

/**
 * The principal of `request`, or the response that refuses it: 403 for an Origin not allowed,
 * the authenticator's refusal, 401 for a revoked credential, 500/503 when a part fails.
 */
export async function authenticateRequest(
  context: RequestAuthContext,
  request: Request,
  remoteAddress: string | undefined,
): Promise<Principal | Response> {
  const origin = context.checkOrigin(request.headers)
  if (!origin.isAllowed) {
    return refusalResponse(
      HttpRefusal.originNotAllowed,
      'requests from this Origin are not allowed',
    )
  }
  let result
  try {
    result = await context.authenticate({
      url: new URL(request.url),
      headers: request.headers,
      remoteAddress,
      isTrustedOrigin: origin.isTrusted,
    })
  } catch (error) {
    context.logger.error({ err: error }, 'authentication failed with an error')
    return refusalResponse(HttpRefusal.internal, 'authentication failed; try again later')
  }
  if (isRefusal(result)) return refusalResponse(result, result.reason)
  try {
    await context.revocations.ready()
  } catch (error) {
    context.logger.error({ err: error }, 'could not read the revocation list')
    return refusalResponse(
      HttpRefusal.storeUnavailable,
      'the server cannot check credentials now; try again later',
    )
  }
  if (context.revocations.isRevoked(result)) {
    return refusalResponse(HttpRefusal.unauthenticated, 'this token was revoked; get a new one')
  }
  return result
}
