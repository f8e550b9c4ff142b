// Webhook URLs: checked once when the webhooks are created, turned into where a call goes and the
// credentials it carries, and shown in logs without the parts that may carry credentials (user
// info, query, fragment).

/** Reads a webhook URL; throws RangeError unless it is an absolute http: or https: URL. */
export function parseTargetUrl(text: string): URL {
  const url = URL.canParse(text) ? new URL(text) : null
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new RangeError(`webhook URL must be an http or https URL: "${redactedUrl(text)}"`)
  }
  return url
}

/**
 * `url` for a log line: scheme, host and path only. A receiver's token often rides in the query
 * or the user info, so neither is ever logged.
 */
export function redactedUrl(url: URL | string): string {
  if (typeof url === 'string') {
    return URL.canParse(url) ? redactedUrl(new URL(url)) : '[not a URL]'
  }
  return `${url.protocol}//${url.host}${url.pathname}`
}

/** Where a call for a webhook URL goes, and the authorization its user info stands for. */
export interface RequestTarget {
  readonly url: URL
  /** An HTTP Basic Authorization value, when the configured URL carries user info. */
  readonly authorization: string | undefined
}

/**
 * The request for `url`: `https://user:pass@host/path` is sent to `https://host/path` with
 * `Authorization: Basic …`, as curl would, so the credentials travel in one header only.
 */
export function requestTarget(url: URL): RequestTarget {
  if (url.username === '' && url.password === '') return { url, authorization: undefined }
  const bare = new URL(url)
  bare.username = ''
  bare.password = ''
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
  return { url: bare, authorization: `Basic ${Buffer.from(credentials).toString('base64')}` }
}
