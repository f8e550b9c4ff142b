// Which browser origins may use the server (cross-site WebSocket hijacking), and which of them
// may use ambient credentials such as cookies. Decided from the Origin and Host headers.

/** `'*'` (any origin) or the origins allowed besides the server's own, e.g. `https://a.example`. */
export type AllowedOrigins = '*' | readonly string[]

/** What the server answers about one request's Origin. */
export interface OriginCheck {
  /** False: refuse the request with 403. A request without Origin (not a browser) is allowed. */
  readonly isAllowed: boolean
  /** True only for an Origin that is the server's own or listed by name: cookies count then. */
  readonly isTrusted: boolean
}

/** The origin part of a URL (`scheme://host[:port]`, default port dropped), or null. */
export function normalizeOrigin(value: string): string | null {
  try {
    const origin = new URL(value).origin
    return origin === 'null' ? null : origin
  } catch {
    return null
  }
}

/**
 * Checks requests against `allowed`. The server's own origin is `<scheme>://<Host header>`; `'*'`
 * lets any page connect but trusts only the server's own origin with cookies, because a page on
 * another site could otherwise ride a user's cookie.
 */
export function createOriginPolicy(
  allowed: AllowedOrigins,
  scheme: 'http' | 'https',
): (headers: Headers) => OriginCheck {
  const listed = new Set(allowed === '*' ? [] : allowed.map((origin) => normalizeOrigin(origin)))
  return (headers) => {
    const origin = headers.get('origin')
    if (origin === null) return { isAllowed: true, isTrusted: false }
    const normalized = normalizeOrigin(origin)
    const host = headers.get('host')
    const isOwn =
      normalized !== null && host !== null && normalized === normalizeOrigin(`${scheme}://${host}`)
    const isTrusted = isOwn || (normalized !== null && listed.has(normalized))
    return { isAllowed: allowed === '*' || isTrusted, isTrusted }
  }
}
