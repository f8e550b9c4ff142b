// Serves the built editor and demo pages from one directory (GET/HEAD only, no directory
// listings, nothing outside the directory). Files may be embedded from other origins; text files
// are gzipped once per version and revalidated with ETags.
import { readFile, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'

const gzipAsync = promisify(gzip)

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
}

const compressible = new Set(['.html', '.js', '.mjs', '.css', '.map', '.json', '.svg', '.txt'])

/** A file as served: its bytes, and gzipped when that is worth it. */
interface CachedFile {
  etag: string
  body: Buffer
  gzipped: Buffer | undefined
}

/**
 * Returns a handler that answers a request from `directory` and resolves true, or resolves
 * false when no file matches so the caller can answer 404. `/` maps to `/index.html`. Files are
 * read once per version (size and modification time) and kept in memory: the directory holds the
 * few files of the build.
 */
export function createStaticFiles(
  directory: string,
): (request: IncomingMessage, response: ServerResponse, path: string) => Promise<boolean> {
  const root = normalize(directory + sep)
  const cache = new Map<string, CachedFile>()

  async function load(file: string): Promise<CachedFile | undefined> {
    const info = await stat(file).catch(() => undefined)
    if (!info?.isFile()) return undefined
    const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`
    const cached = cache.get(file)
    if (cached?.etag === etag) return cached
    const body = await readFile(file)
    const packed = compressible.has(extname(file)) ? await gzipAsync(body) : undefined
    const entry = {
      etag,
      body,
      gzipped: packed && packed.length < body.length ? packed : undefined,
    }
    cache.set(file, entry)
    return entry
  }

  return async (request, response, path) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false
    let relative: string
    try {
      relative = decodeURIComponent(path === '/' ? '/index.html' : path)
    } catch {
      return false
    }
    const file = normalize(join(root, relative))
    if (!file.startsWith(root) || relative.includes('\0')) return false
    const entry = await load(file)
    if (!entry) return false
    const headers: Record<string, string | number> = {
      'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
      'Access-Control-Allow-Origin': '*',
      'Cache-Control': 'no-cache',
      ETag: entry.etag,
      Vary: 'Accept-Encoding',
    }
    if (request.headers['if-none-match'] === entry.etag) {
      response.writeHead(304, headers)
      response.end()
      return true
    }
    const useGzip =
      entry.gzipped !== undefined && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')
    const body = useGzip ? entry.gzipped! : entry.body
    if (useGzip) headers['Content-Encoding'] = 'gzip'
    headers['Content-Length'] = body.length
    response.writeHead(200, headers)
    response.end(request.method === 'HEAD' ? undefined : body)
    return true
  }
}
