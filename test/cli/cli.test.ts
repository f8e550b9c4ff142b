import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import type { Socket } from 'node:net'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import WebSocket from 'ws'
import { openRawClient } from '../helpers/client.js'
import { requestUpgrade } from '../helpers/http.js'
import { runCommand, runRefusal, spawnServer } from '../helpers/start-server.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url))

async function packageVersion(): Promise<string> {
  const packageJson = await readFile(join(repositoryRoot, 'package.json'), 'utf8')
  return (JSON.parse(packageJson) as { version: string }).version
}

test('--help lists every flag with its default and environment variable', async () => {
  const { code, output } = await runCommand(['--help'])
  assert.equal(code, 0)
  for (const flag of [
    '--port',
    '--host',
    '--data',
    '--log-level',
    '--fsync',
    '--max-frame-bytes',
    '--max-buffered-bytes',
    '--max-awareness-bytes',
    '--max-connections-per-room',
    '--heartbeat-ms',
    '--unload-grace-ms',
    '--compact-after-updates',
    '--compact-after-bytes',
    '--shutdown-timeout-ms',
    '--drain-delay-ms',
    '--metrics',
    '--webhook-url',
    '--webhook-secret',
    '--webhook-debounce-ms',
    '--webhook-max-wait-ms',
    '--webhook-concurrency',
    '--webhook-content',
  ]) {
    assert.ok(output.includes(flag), `${flag} is listed`)
  }
  assert.match(output, /default: 1234,\s+env:\s+PORT/)
  assert.match(output, /default: "\.\/data",\s+env:\s+DATA_DIR/)
})

test('--version prints the package version and exits 0', async () => {
  const { code, output } = await runCommand(['--version'])
  assert.equal(code, 0)
  assert.equal(output, `${await packageVersion()}\n`)
})

test('the bundled command (dist/cli.js) finds the package version too', async () => {
  const run = promisify(execFile)
  await run(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: repositoryRoot })
  const { stdout } = await run(process.execPath, ['dist/cli.js', '--version'], {
    cwd: repositoryRoot,
  })
  assert.equal(stdout, `${await packageVersion()}\n`)
})

test('bad values exit with code 2 and one line saying what is wrong', async (t) => {
  const dataDirectory = await makeTempDir(t)
  const cases: Array<{ args: string[]; env?: NodeJS.ProcessEnv; message: RegExp }> = [
    {
      args: ['--port', 'abc'],
      message:
        /--port <number>' argument 'abc' is invalid\. expected a port number from 0 to 65535/,
    },
    { args: [], env: { PORT: '70000' }, message: /value '70000' from env 'PORT' is invalid/ },
    {
      args: ['--log-level', 'loud'],
      message: /--log-level <level>' argument 'loud' is invalid\. Allowed choices are fatal, error/,
    },
    {
      args: ['--max-frame-bytes', '12 bananas'],
      message: /expected a size such as 16777216, 512KiB or 16MiB/,
    },
    { args: ['--heartbeat-ms', '0'], message: /expected a whole number of at least 1/ },
    { args: ['--bogus'], message: /unknown option '--bogus'/ },
  ]
  for (const { args, env, message } of cases) {
    const { code, line } = await runRefusal([...args, '--data', dataDirectory], env)
    assert.equal(code, 2, args.join(' '))
    assert.match(line, message)
  }
})

test('an unusable data directory exits with code 2 and says how to fix it', async (t) => {
  const directory = await makeTempDir(t)
  const file = join(directory, 'not-a-directory')
  await writeFile(file, 'x')
  const { code, line } = await runRefusal(['--port', '0', '--data', join(file, 'data')])
  assert.equal(code, 2)
  assert.match(line, /cannot create the data directory .*not a directory.*--data \/ DATA_DIR/)
})

test('a data directory locked by a running server exits with code 2', async (t) => {
  const dataDirectory = await makeTempDir(t)
  await spawnServer(t, dataDirectory)
  const { code, line } = await runRefusal(['--port', '0', '--data', dataDirectory])
  assert.equal(code, 2)
  assert.match(
    line,
    /is locked by another running server; stop it or choose another data directory/,
  )
})

test('a port already in use exits with code 2', async (t) => {
  const running = await spawnServer(t, await makeTempDir(t))
  const { code, line } = await runRefusal([
    '--port',
    String(running.port),
    '--host',
    '127.0.0.1',
    '--data',
    await makeTempDir(t),
  ])
  assert.equal(code, 2)
  assert.match(line, new RegExp(`port ${running.port} on 127\\.0\\.0\\.1 is already in use`))
})

test('flags win over environment variables', async (t) => {
  const dataDirectory = await makeTempDir(t)
  const { code, line } = await runRefusal(['--port', 'nope', '--data', dataDirectory], {
    PORT: '1',
  })
  assert.equal(code, 2)
  assert.match(line, /argument 'nope'/)
})

test('a repeated SIGTERM leaves the drain alone; a person’s second SIGINT forces the exit', async (t) => {
  const server = await spawnServer(t, await makeTempDir(t), ['--shutdown-timeout-ms', '60000'])
  const stuck = await openRawClient(t, server.url, 'stuck')
  // A client that never reads cannot complete the closing handshake, so the drain waits.
  ;(stuck.socket as unknown as { _socket: Socket })._socket.pause()
  server.child.kill('SIGTERM')
  await until(() => server.output().includes('shutting down'), { what: 'the shutdown to begin' })
  server.child.kill('SIGTERM')
  await until(() => server.output().includes('already draining'), { what: 'the repeat to be seen' })
  assert.equal(server.child.exitCode, null, 'still draining')
  // Well after the first signal, so that it cannot be npm's copy of the first (cli/shutdown-signals.ts).
  await until(
    () => {
      server.child.kill('SIGINT')
      return server.child.exitCode !== null
    },
    { intervalMs: 600, what: 'the interrupt to force the exit' },
  )
  assert.equal(await server.exited, 1)
  assert.match(server.output(), /second interrupt: exiting without waiting/)
})

test('webhook and drain flags that are wrong or do not fit together exit with code 2 and one line', async (t) => {
  const dataDirectory = await makeTempDir(t)
  const secret = ['--webhook-secret', 'sixteen-chars-ok']
  const cases: Array<{ args: string[]; message: RegExp }> = [
    {
      args: ['--webhook-url', 'http://h.example/x'],
      message: /--webhook-url needs --webhook-secret/,
    },
    { args: secret, message: /--webhook-secret needs --webhook-url/ },
    {
      args: ['--webhook-url', 'http://h.example/x', '--webhook-secret', 'short'],
      message: /--webhook-secret must be at least 16 characters/,
    },
    { args: ['--webhook-url', 'mailto:x@h.example', ...secret], message: /expected an http/ },
    {
      args: ['--webhook-url', 'http://h.example/x', ...secret, '--webhook-content', 'pdf'],
      message: /--webhook-content.*Allowed choices are text, json, markdown/,
    },
    {
      args: ['--webhook-url', 'http://h.example/x', ...secret, '--webhook-debounce-ms', '20000'],
      message: /--webhook-max-wait-ms must not be shorter than --webhook-debounce-ms/,
    },
    { args: ['--drain-delay-ms', 'soon'], message: /--drain-delay-ms.*expected a whole number/ },
    { args: ['--metrics', 'maybe'], message: /--metrics.*expected true or false/ },
  ]
  for (const { args, message } of cases) {
    const { code, line } = await runRefusal([...args, '--data', dataDirectory])
    assert.equal(code, 2, args.join(' '))
    assert.match(line, message)
  }
})

test('limit flags and their environment variables reach the running server', async (t) => {
  const server = await spawnServer(t, await makeTempDir(t), ['--max-frame-bytes', '1KiB'])
  const client = await openRawClient(t, server.url, 'limited')
  client.socket.send(new Uint8Array(2048))
  assert.deepEqual(await client.closed, { code: 1009, reason: 'frame exceeds the 1024-byte limit' })

  const fromEnv = await spawnServer(t, await makeTempDir(t), [], { MAX_AWARENESS_BYTES: '100' })
  const other = await openRawClient(t, fromEnv.url, 'limited')
  other.socket.send(Uint8Array.of(1, 200, 1, ...new Uint8Array(200)))
  const closed = await other.closed
  assert.equal(closed.code, 1009)
  assert.match(closed.reason, /exceeds the 100-byte limit/)
})

test('security flags that do not fit together exit with code 2 and one line', async (t) => {
  const dataDirectory = await makeTempDir(t)
  const cases: Array<{ args: string[]; message: RegExp }> = [
    {
      args: ['--jwt-secret', 's', '--jwks-url', 'https://id.example/jwks.json'],
      message: /give only one of --jwt-secret, --jwt-public-key and --jwks-url/,
    },
    { args: ['--jwt-issuer', 'me'], message: /--jwt-issuer and --jwt-audience need/ },
    { args: ['--tls-cert', 'cert.pem'], message: /--tls-cert and --tls-key go together/ },
    { args: ['--allowed-origins', 'a.example'], message: /"a\.example" is not an origin/ },
    { args: ['--jwks-url', 'ftp://x'], message: /expected an http:\/\/ or https:\/\/ URL/ },
    {
      args: ['--port', '0', '--tls-cert', '/nonexistent/c.pem', '--tls-key', '/nonexistent/k.pem'],
      message: /cannot read --tls-cert \/nonexistent\/c\.pem/,
    },
    {
      args: ['--port', '0', '--jwt-public-key', '/nonexistent/key.pem'],
      message: /--jwt-secret \/ --jwt-public-key \/ --jwks-url/,
    },
  ]
  for (const { args, message } of cases) {
    const { code, output } = await runCommand([...args, '--data', dataDirectory])
    assert.equal(code, 2, args.join(' '))
    const lines = output
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('collab-server:'))
    assert.equal(lines.length, 1, output)
    assert.match(lines[0]!, message)
  }
})

test('with --jwt-secret, a token from `token` opens its documents and nothing else', async (t) => {
  const secret = 'correct horse battery staple'
  const server = await spawnServer(t, await makeTempDir(t), ['--jwt-secret', secret])
  await until(() => /authentication is on/.test(server.output()), { what: 'the start-up notice' })
  const minted = await runCommand([
    'token',
    '--secret',
    secret,
    '--sub',
    'alice',
    '--docs',
    'team/*=write',
  ])
  assert.equal(minted.code, 0)
  const token = minted.output.trim()
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'only the token is printed')

  const port = server.port
  assert.equal((await requestUpgrade(port, '/team%2Fnotes')).status, 401, 'no token')
  assert.equal((await requestUpgrade(port, `/other?token=${token}`)).status, 403, 'no access')
  const writer = await openRawClient(t, server.url, 'team/notes', { token })
  assert.equal(writer.socket.readyState, WebSocket.OPEN)
  assert.ok(!server.output().includes(token), 'the token is not logged')
})

test('without a token flag the server says authentication is off, and warns beyond loopback', async (t) => {
  const local = await spawnServer(t, await makeTempDir(t))
  await until(() => /authentication is off/.test(local.output()), { what: 'the notice' })
  assert.doesNotMatch(local.output(), /"level":40/, 'on loopback it is no warning')
  const exposed = await spawnServer(t, await makeTempDir(t), ['--host', '0.0.0.0'])
  await until(
    () => /"level":40[^\n]*authentication is off[^\n]*beyond this machine/.test(exposed.output()),
    { what: 'the warning' },
  )
})
