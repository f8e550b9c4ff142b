// The collab server's HTTP API (/api/documents/{name}/…) as the editor uses it for one document:
// its versions, restoring one, and its content as a file. Sends the editor's token as a bearer
// token. No UI here.
import { readVersion, readVersionList, type Version } from './history/version.js'

/** A refusal of the API: its `{ error, reason }` body and HTTP status. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: number
  /** The server's `COLLAB_…` code. */
  readonly code: string

  constructor(status: number, code: string, reason: string) {
    super(reason)
    this.status = status
    this.code = code
  }
}

/** Formats the content endpoint can export, for a download. */
export type ExportFormat = 'markdown' | 'html'

/** Options of `createDocumentApi`. */
export interface DocumentApiOptions {
  /** The server's HTTP base URL, as `normalizeApiUrl` returns it. */
  apiUrl: string
  /** The document (room) name. */
  document: string
  /** The token to send now (the WebSocket's current one); undefined for none. */
  token: () => string | undefined
}

/** The API calls the editor makes about its document. Every call rejects with an ApiError for a
 * refusal and a TypeError when the server cannot be reached or replies nonsense. */
export interface DocumentApi {
  /** The versions, newest first. */
  listVersions(signal?: AbortSignal): Promise<Version[]>
  /** Saves the document as it is now as a version called `name`. */
  nameVersion(name: string): Promise<Version>
  /** A version's full state as a Yjs v1 update. */
  fetchVersionUpdate(id: string): Promise<Uint8Array>
  /** Makes the document's content that of version `id` (connected editors get it as a change). */
  restoreVersion(id: string): Promise<void>
  /** The document as it is now, in `format`. */
  fetchContent(format: ExportFormat): Promise<Blob>
}

/**
 * Turns `http:`, `https:`, `ws:` or `wss:` URLs into the HTTP base URL of a server (no trailing
 * slash; a WebSocket URL maps to the same host and path over http(s)). Throws RangeError for
 * anything else.
 */
export function normalizeApiUrl(apiUrl: string): string {
  let url: URL
  try {
    url = new URL(apiUrl)
  } catch {
    throw new RangeError(`the API URL is not a URL: ${JSON.stringify(apiUrl)}`)
  }
  const protocols: Record<string, string> = {
    'http:': 'http:',
    'https:': 'https:',
    'ws:': 'http:',
    'wss:': 'https:',
  }
  const protocol = protocols[url.protocol]
  if (!protocol)
    throw new RangeError(`the API URL must start with http:// or https://, not ${url.protocol}`)
  url.protocol = protocol
  url.search = ''
  url.hash = ''
  return url.href.replace(/\/+$/, '')
}

async function readRefusal(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => null)
  const { error, reason } = (body ?? {}) as { error?: unknown; reason?: unknown }
  return new ApiError(
    response.status,
    typeof error === 'string' ? error : `HTTP_${response.status}`,
    typeof reason === 'string' ? reason : `the server replied ${response.status}`,
  )
}

/** The API of one document on one server. */
export function createDocumentApi(options: DocumentApiOptions): DocumentApi {
  const base = `${options.apiUrl}/api/documents/${encodeURIComponent(options.document)}`

  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers)
    const token = options.token()
    if (token) headers.set('Authorization', `Bearer ${token}`)
    const response = await fetch(`${base}${path}`, { ...init, headers })
    if (!response.ok) throw await readRefusal(response)
    return response
  }
  const versionPath = (id: string): string => `/versions/${encodeURIComponent(id)}`

  return {
    async listVersions(signal) {
      const response = await request('/versions', { signal })
      return readVersionList(await response.json())
    },
    async nameVersion(name) {
      const response = await request('/versions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name }),
      })
      return readVersion(await response.json())
    },
    async fetchVersionUpdate(id) {
      const response = await request(`${versionPath(id)}/content?format=yjs`)
      return new Uint8Array(await response.arrayBuffer())
    },
    async restoreVersion(id) {
      await request(`${versionPath(id)}/restore`, { method: 'POST' })
    },
    async fetchContent(format) {
      const response = await request(`/content?format=${format}`)
      return response.blob()
    },
  }
}

/** A sentence for the user about a failed call. */
export function describeApiError(error: unknown): string {
  if (error instanceof ApiError) return error.message
  if (error instanceof TypeError) return 'Could not reach the server'
  return 'Something went wrong'
}
