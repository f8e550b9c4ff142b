// Serves the built editor and demo pages from one directory (no directory listings, nothing
// outside the directory). Files may be embedded from other origins; text files
// are gzipped once per version and revalidated with ETags.
import { readFile, stat } from 'node:fs/promises'
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

/** Serves the files of one directory. */
export interface StaticFiles {
  /**
   * The response for a GET of `path` (still percent-encoded; `/` is `/index.html`), or null when
   * no file matches. `headers` are the request's (conditional and encoding headers).
   */
  respond(path: string, headers: Headers): Promise<Response | null>
  /** Whether a file answers `path` (to tell a wrong method from a missing file). */
  has(path: string): Promise<boolean>
}

/**
 * Serves `directory`. Files are read once per version (size and modification time) and kept in
 * memory: the directory holds the few files of the build.
 */
export function createStaticFiles(directory: string): StaticFiles {
  const root = normalize(directory + sep)
  const cache = new Map<string, CachedFile>()

  function resolve(path: string): string | undefined {
    let relative: string
    try {
      relative = decodeURIComponent(path === '/' ? '/index.html' : path)
    } catch {
      return undefined
    }
    const file = normalize(join(root, relative))
    if (!file.startsWith(root) || relative.includes('\0')) return undefined
    return file
  }

  async function load(path: string): Promise<{ file: string; entry: CachedFile } | undefined> {
    const file = resolve(path)
    if (!file) return undefined
    const info = await stat(file).catch(() => undefined)
    if (!info?.isFile()) return undefined
    const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`
    const cached = cache.get(file)
    if (cached?.etag === etag) return { file, entry: cached }
    const body = await readFile(file)
    const packed = compressible.has(extname(file)) ? await gzipAsync(body) : undefined
    const entry = {
      etag,
      body,
      gzipped: packed && packed.length < body.length ? packed : undefined,
    }
    cache.set(file, entry)
    return { file, entry }
  }

  return {
    has: async (path) => (await load(path)) !== undefined,
    respond: async (path, requestHeaders) => {
      const found = await load(path)
      if (!found) return null
      const { file, entry } = found
      const headers: Record<string, string> = {
        'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
        'Access-Control-Allow-Origin': '*',
        'Cache-Control': 'no-cache',
        ETag: entry.etag,
        Vary: 'Accept-Encoding',
      }
      if (requestHeaders.get('if-none-match') === entry.etag) {
        return new Response(null, { status: 304, headers })
      }
      const useGzip =
        entry.gzipped !== undefined && /\bgzip\b/.test(requestHeaders.get('accept-encoding') ?? '')
      const body = useGzip ? entry.gzipped! : entry.body
      if (useGzip) headers['Content-Encoding'] = 'gzip'
      headers['Content-Length'] = String(body.length)
      return new Response(body, { status: 200, headers })
    },
  }
}
