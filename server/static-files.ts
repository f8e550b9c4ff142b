// Serves the built editor and demo pages from one directory (GET/HEAD only, no directory
// listings, nothing outside the directory). Files may be embedded from other origins.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'

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

/**
 * Returns a handler that answers a request from `directory` and resolves true, or resolves
 * false when no file matches so the caller can answer 404. `/` maps to `/index.html`.
 */
export function createStaticFiles(
  directory: string,
): (request: IncomingMessage, response: ServerResponse, path: string) => Promise<boolean> {
  const root = normalize(directory + sep)
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
    const info = await stat(file).catch(() => undefined)
    if (!info?.isFile()) return false
    response.writeHead(200, {
      'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Access-Control-Allow-Origin': '*',
      'Cache-Control': 'no-cache',
    })
    if (request.method === 'HEAD') {
      response.end()
      return true
    }
    createReadStream(file)
      .on('error', () => response.destroy())
      .pipe(response)
    return true
  }
}
