// The PostgreSQL connection URL an operator gives: checking it, and writing it without its password
// for messages and logs. Imports nothing.

/** The URL schemes `pg` reads as a PostgreSQL connection string. */
const schemes = new Set(['postgres:', 'postgresql:'])

const expected = 'expected a URL such as postgres://user:password@host:5432/database'

/**
 * Checks that `value` is a PostgreSQL URL; returns it, or a one-line problem that does not repeat
 * the value (it may hold a password).
 */
export function checkPostgresUrl(value: string): { url: string } | { problem: string } {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return { problem: expected }
  }
  if (!schemes.has(url.protocol)) return { problem: `${expected} (postgres:// or postgresql://)` }
  return { url: value }
}

/**
 * `value` with its password, in the user part or a `password` parameter, replaced by `***`: the
 * form of the URL that messages and logs may show.
 */
export function redactPostgresUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return '(a URL that does not parse)'
  }
  if (url.password !== '') url.password = '***'
  if (url.searchParams.has('password')) url.searchParams.set('password', '***')
  return url.toString()
}
