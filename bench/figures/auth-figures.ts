// The figures of the authentication issue: connections per second and server CPU per connection
// with authentication off, with HS256 tokens and with EdDSA tokens, against the built server
// (dist/cli.js) as its own process. Each connection carries its own token and waits for the
// server's first sync message.
// Usage: node scripts/build.mjs && node --import tsx bench/figures/auth-figures.ts [--connections 3000] [--rounds 3]
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { SignJWT, exportSPKI, generateKeyPair } from 'jose'
import WebSocket from 'ws'
import { readCpuMs } from '../../test/helpers/proc-stats.js'

const { values: options } = parseArgs({
  options: {
    connections: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '50' },
  },
})
const connections = Number(options.connections)
const concurrency = Number(options.concurrency)

interface Mode {
  name: string
  args: string[]
  token: (i: number) => Promise<string | undefined>
}

async function startServer(
  directory: string,
  args: string[],
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      'dist/cli.js',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data',
      directory,
      '--log-level',
      'info',
      '--max-connections-per-ip',
      '0',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /"port":(\d+)/.exec(output)
      if (match) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)))
  })
  return { child, port }
}

async function connectAll(port: number, token: Mode['token']): Promise<number> {
  const startedAt = performance.now()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < connections) {
      const i = next++
      const value = await token(i)
      const query = value ? `?token=${value}` : ''
      const socket = new WebSocket(`ws://127.0.0.1:${port}/doc-${i % 100}${query}`)
      await once(socket, 'message')
      socket.terminate()
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return performance.now() - startedAt
}

async function main(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'auth-figures-'))
  const secret = 'a-benchmark-secret-of-32-characters!'
  const hmacKey = new TextEncoder().encode(secret)
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
  const publicKeyFile = join(directory, 'public.pem')
  await writeFile(publicKeyFile, await exportSPKI(publicKey))
  const claims = (i: number) =>
    new SignJWT({ docs: { '*': 'write' } })
      .setSubject(`user-${i}`)
      .setIssuedAt()
      .setExpirationTime('1h')
  // Tokens are signed before a round starts, so the figures are the server's work only.
  const signed = async (sign: (i: number) => Promise<string>) => {
    const tokens = await Promise.all(Array.from({ length: connections }, (_, i) => sign(i)))
    return (i: number) => Promise.resolve(tokens[i])
  }
  const modes: Mode[] = [
    { name: 'auth off', args: [], token: () => Promise.resolve(undefined) },
    {
      name: 'HS256',
      args: ['--jwt-secret', secret],
      token: await signed((i) => claims(i).setProtectedHeader({ alg: 'HS256' }).sign(hmacKey)),
    },
    {
      name: 'EdDSA',
      args: ['--jwt-public-key', publicKeyFile],
      token: await signed((i) => claims(i).setProtectedHeader({ alg: 'EdDSA' }).sign(privateKey)),
    },
  ]
  const results = new Map<string, Array<{ perSecond: number; cpuUs: number }>>()
  for (let round = 0; round < Number(options.rounds); round++) {
    for (const mode of modes) {
      const data = join(directory, `${mode.name}-${round}`.replace(/\W/g, '-'))
      const { child, port } = await startServer(data, mode.args)
      await connectAll(port, mode.token) // warm-up: the JIT and the rooms
      const cpuBefore = readCpuMs(child.pid!)
      const wallMs = await connectAll(port, mode.token)
      const cpuMs = readCpuMs(child.pid!) - cpuBefore
      child.kill('SIGTERM')
      await once(child, 'exit')
      const list = results.get(mode.name) ?? []
      list.push({ perSecond: (connections / wallMs) * 1000, cpuUs: (cpuMs * 1000) / connections })
      results.set(mode.name, list)
    }
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!
  console.log(
    `${connections} connections, ${concurrency} at a time, medians of ${options.rounds} rounds`,
  )
  console.log('| mode | connections/s | server CPU per connection (µs) |')
  console.log('| --- | --- | --- |')
  for (const [name, list] of results) {
    const perSecond = median(list.map((entry) => entry.perSecond))
    const cpuUs = median(list.map((entry) => entry.cpuUs))
    console.log(`| ${name} | ${perSecond.toFixed(0)} | ${cpuUs.toFixed(0)} |`)
  }
  await rm(directory, { recursive: true, force: true })
}

await main()
