// The Redis URL an operator gives (--redis): checking it, and writing it without its password
// for messages and logs. Imports nothing.

const schemes = new Set(['redis:', 'rediss:'])

const expected = 'expected a URL such as redis://127.0.0.1:6379 (or rediss:// for TLS)'

/** Checks that `value` is a Redis URL; returns a one-line problem that does not repeat it, or null. */
export function redisUrlProblem(value: string): string | null {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return expected
  }
  return schemes.has(url.protocol) ? null : expected
}

/** `value` with its password replaced by `***`: the form messages and logs may show. */
export function redactRedisUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return '(a URL that does not parse)'
  }
  if (url.password !== '') url.password = '***'
  return url.toString()
}

/** What an instance id and a key prefix may hold: they become parts of Redis keys and channels. */
const namePattern = /^[A-Za-z0-9._:@-]{1,100}$/

/** Why `id` cannot name an instance, or null. */
export function instanceIdProblem(id: string): string | null {
  return namePattern.test(id)
    ? null
    : 'an instance id is 1 to 100 letters, digits and . _ : @ - (it names Redis keys)'
}

/** Why `prefix` cannot prefix the cluster's Redis keys, or null. */
export function keyPrefixProblem(prefix: string): string | null {
  return namePattern.test(prefix)
    ? null
    : 'a Redis key prefix is 1 to 100 letters, digits and . _ : @ - such as collab:'
}
