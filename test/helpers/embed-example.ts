// The embed example (examples/embed.html) served from an origin of its own, as another web app
// would serve it.
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'

const examplePath = fileURLToPath(new URL('../../examples/embed.html', import.meta.url))

/** Serves the example at /embed.html, pointed at `collabHost` instead of localhost:1234. */
export async function serveEmbedExample(t: TestContext, collabHost: string): Promise<string> {
  const page = (await readFile(examplePath, 'utf8')).replaceAll('localhost:1234', collabHost)
  const server = createServer((request, response) => {
    if (request.url !== '/embed.html') return void response.writeHead(404).end()
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/embed.html`
}
