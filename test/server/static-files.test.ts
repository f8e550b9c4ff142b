import assert from 'node:assert/strict'
import { request } from 'node:http'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { startServer } from '../helpers/start-server.js'
import { makeTempDir } from '../helpers/tmp-dir.js'

/** A raw GET (fetch would decompress and hide the encoding). */
function get(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        )
      })
      req.on('error', reject)
      req.end()
    },
  )
}

test('serves the static directory: index at /, gzip when accepted, 304 on a matching ETag', async (t) => {
  const staticDirectory = await makeTempDir(t)
  const script = `export const answer = ${JSON.stringify('x'.repeat(5000))}\n`
  await writeFile(join(staticDirectory, 'index.html'), '<!doctype html><title>demo</title>')
  await writeFile(join(staticDirectory, 'editor.js'), script)
  await mkdir(join(staticDirectory, 'sub'))
  const server = await startServer(t, { staticDirectory })

  const index = await get(server.port, '/?doc=notes')
  assert.equal(index.status, 200)
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8')
  assert.equal(index.body.toString(), '<!doctype html><title>demo</title>')

  const plain = await get(server.port, '/editor.js')
  assert.equal(plain.body.toString(), script)
  assert.equal(plain.headers['access-control-allow-origin'], '*', 'embeddable from other origins')
  const packed = await get(server.port, '/editor.js', { 'Accept-Encoding': 'gzip, br' })
  assert.equal(packed.headers['content-encoding'], 'gzip')
  assert.ok(packed.body.length < script.length / 10)
  assert.equal(gunzipSync(packed.body).toString(), script)

  const etag = String(plain.headers.etag)
  const revalidated = await get(server.port, '/editor.js', { 'If-None-Match': etag })
  assert.equal(revalidated.status, 304)
  assert.equal(revalidated.body.length, 0)

  await writeFile(join(staticDirectory, 'editor.js'), `${script}// rebuilt\n`)
  const rebuilt = await get(server.port, '/editor.js', { 'If-None-Match': etag })
  assert.equal(rebuilt.status, 200, 'a rebuilt file is served afresh')
  assert.ok(rebuilt.body.toString().endsWith('// rebuilt\n'))
})

test('never serves outside the directory, directories, or malformed paths', async (t) => {
  const staticDirectory = await makeTempDir(t)
  await mkdir(join(staticDirectory, 'sub'))
  const server = await startServer(t, { staticDirectory })
  for (const path of ['/../package.json', '/%2e%2e/package.json', '/sub', '/%E2%82', '/a%00b']) {
    const response = await get(server.port, path)
    assert.equal(response.status, 404, path)
    assert.match(
      (JSON.parse(response.body.toString()) as { reason: string }).reason,
      /no such path/,
    )
  }
})

test('a wrong method on a known path gets 405 with Allow, an unknown path 404, HEAD has no body', async (t) => {
  const staticDirectory = await makeTempDir(t)
  await writeFile(join(staticDirectory, 'index.html'), '<!doctype html><title>demo</title>')
  const server = await startServer(t, { staticDirectory })
  const base = `http://127.0.0.1:${server.port}`
  for (const path of ['/healthz', '/index.html', '/']) {
    const response = await fetch(`${base}${path}`, { method: 'POST' })
    assert.equal(response.status, 405, path)
    assert.equal(response.headers.get('allow'), 'GET, HEAD')
    assert.deepEqual(await response.json(), {
      error: 'COLLAB_METHOD_NOT_ALLOWED',
      reason: `POST is not allowed on ${path}; use GET or HEAD`,
    })
  }
  const missing = await fetch(`${base}/nothing-here`, { method: 'DELETE' })
  assert.equal(missing.status, 404)
  assert.equal(((await missing.json()) as { error: string }).error, 'COLLAB_NOT_FOUND')

  const head = await fetch(`${base}/index.html`, { method: 'HEAD' })
  assert.equal(head.status, 200)
  assert.equal(head.headers.get('content-type'), 'text/html; charset=utf-8')
  assert.equal((await head.arrayBuffer()).byteLength, 0)
  const healthHead = await fetch(`${base}/healthz`, { method: 'HEAD' })
  assert.equal(healthHead.status, 200)
})
