import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import * as Y from 'yjs'
import { editorFormats } from '../../content/editor-formats.js'
import { openLevelDbStore } from '../../persistence/leveldb/store.js'
import { encodeBackup } from '../../server/documents/backup-format.js'
import { type CollabDocuments, createCollabServer } from '../../server/index.js'
import { createLogger } from '../../server/logger.js'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { freePort } from '../helpers/loopback-ports.js'
import { spawnServer } from '../helpers/start-server.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { until } from '../helpers/until.js'

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url))

interface CliResult {
  code: number | null
  stdout: Buffer
  stderr: string
}

/** Runs the real command (`node --import tsx cli/main.ts …`), with `input` on its stdin. */
async function cli(
  args: string[],
  { input, env = {} }: { input?: string | Uint8Array; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const stdout: Buffer[] = []
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  child.stdin.end(input)
  const [code] = (await once(child, 'close')) as [number | null]
  return { code, stdout: Buffer.concat(stdout), stderr }
}

/** Runs a command that must succeed; resolves with its stdout as text. */
async function ok(args: string[], options?: Parameters<typeof cli>[1]): Promise<string> {
  const result = await cli(args, options)
  assert.equal(result.code, 0, `${args.join(' ')} failed:\n${result.stderr}`)
  return result.stdout.toString()
}

async function json<T>(args: string[]): Promise<T> {
  return JSON.parse(await ok([...args, '--json'])) as T
}

/** Runs a command that must fail with `code` and one line on stderr matching `message`. */
async function fails(args: string[], code: number, message: RegExp): Promise<void> {
  const result = await cli(args)
  assert.equal(result.code, code, `${args.join(' ')}:\n${result.stderr}`)
  const lines = result.stderr.trimEnd().split('\n')
  assert.equal(lines.length, 1, `one line expected, got:\n${result.stderr}`)
  assert.match(lines[0]!, /^collab-server: /)
  assert.match(lines[0]!, message)
  assert.equal(result.stdout.length, 0, 'nothing on stdout')
}

const markdown = '# Title\n\nSome *text* and a [link](https://example.com).\n\n* one\n* two'

interface VersionJson {
  id: string
  kind: string
  name: string | null
}

/** Works on a data directory in this process (for setting up and changing it between commands). */
async function withDocuments(
  directory: string,
  use: (documents: CollabDocuments) => Promise<void>,
): Promise<void> {
  const store = await openLevelDbStore({ directory })
  const server = createCollabServer({
    store,
    logger: createLogger('silent'),
    formats: editorFormats,
  })
  try {
    await use(server.documents)
  } finally {
    await server.close()
    await store.close()
  }
}

const setText = (documents: CollabDocuments, name: string, text: string) =>
  documents.replace(name, editorFormats.parse('text', text), null)

/**
 * A data directory holding `notes` (a version named `first draft` holding "first", then
 * `markdown`) and `other` ("untouched").
 */
async function seededDirectory(t: TestContext): Promise<string> {
  const data = join(await makeTempDir(t), 'data')
  await withDocuments(data, async (documents) => {
    await setText(documents, 'notes', 'first')
    await documents.saveVersion('notes', 'first draft')
    await documents.replace('notes', editorFormats.parse('markdown', markdown), null)
    await setText(documents, 'other', 'untouched')
  })
  return data
}

test('import then export round-trips content in every format, from stdin and from files', async (t) => {
  const directory = await makeTempDir(t)
  const at = ['--data', join(directory, 'data')]
  const imported = await ok(['import', '--doc', 'team/notes', '--format', 'markdown', '-', ...at], {
    input: markdown,
  })
  assert.equal(imported, 'created "team/notes"\n')
  assert.equal(await ok(['export', '--doc', 'team/notes', '--format', 'markdown', ...at]), markdown)
  const jsonFile = join(directory, 'notes.json')
  const yjsFile = join(directory, 'notes.yjs')
  assert.equal(await ok(['export', '--doc', 'team/notes', '--out', jsonFile, ...at]), '')
  assert.equal((JSON.parse(await readFile(jsonFile, 'utf8')) as { type: string }).type, 'doc')
  const yjs = await cli(['export', '--doc', 'team/notes', '--format', 'yjs', ...at])
  const replayed = new Y.Doc()
  Y.applyUpdate(replayed, yjs.stdout)
  assert.match(replayed.getXmlFragment('prosemirror').toString(), /<heading[^>]*>Title<\/heading>/)
  await writeFile(yjsFile, yjs.stdout)

  await ok(['import', '--doc', 'from-json', '--format', 'json', jsonFile, ...at])
  await ok(['import', '--doc', 'from-yjs', '--format', 'yjs', yjsFile, ...at])
  assert.equal(await ok(['export', '--doc', 'from-json', '--format', 'markdown', ...at]), markdown)
  assert.equal(
    await ok(['export', '--doc', 'from-yjs', '--format', 'text', ...at]),
    'Title\n\nSome text and a link.\n\none\ntwo',
  )
  const replaced = await ok(['import', '--doc', 'from-yjs', '--format', 'text', '-', ...at], {
    input: 'new',
  })
  assert.equal(replaced, 'replaced the content of "from-yjs"\n')

  const table = await ok(['list', ...at])
  assert.match(table, /^NAME\s+SIZE\s+UPDATED\s+CONNECTIONS\n/)
  assert.match(table, /\nteam\/notes\s+\d+ B\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+0\n$/)
  const listed = await json<{ documents: Array<{ name: string; bytes: number }> }>(['list', ...at])
  assert.deepEqual(
    listed.documents.map((entry) => entry.name),
    ['from-json', 'from-yjs', 'team/notes'],
  )
})

test('versions lists what was saved, restore brings a version back, inspect tells what it holds', async (t) => {
  const data = await seededDirectory(t)
  const at = ['--data', data, '--doc', 'notes']
  const { versions } = await json<{ versions: VersionJson[] }>(['versions', ...at])
  const draft = versions.find((version) => version.name === 'first draft')
  assert.ok(draft, JSON.stringify(versions))
  assert.equal(draft.kind, 'named')
  assert.match(
    await ok(['versions', ...at]),
    new RegExp(
      `^ID\\s+KIND\\s+CREATED\\s+SIZE\\s+NAME\\s+AUTHORS\\n(.*\\n)*${draft.id}\\s+named\\s.*first draft`,
    ),
  )
  assert.equal(await ok(['export', ...at, '--format', 'text', '--version-id', draft.id]), 'first')

  assert.match(
    await ok(['restore', ...at, '--version-id', draft.id]),
    new RegExp(`^restored "notes" to version ${draft.id}; the state before is version \\S+\\n$`),
  )
  assert.equal(await ok(['export', ...at, '--format', 'text']), 'first')
  const after = await json<{ versions: VersionJson[] }>(['versions', ...at])
  assert.ok(
    after.versions.some((version) => version.kind === 'restore'),
    'the state before the restore was saved',
  )

  const inspection = await json<Record<string, unknown>>(['inspect', ...at])
  assert.equal(inspection.name, 'notes')
  assert.equal(inspection.versions, after.versions.length)
  assert.ok((inspection.deletedItems as number) > 0, 'replaced content is deleted content')
  assert.ok((inspection.clients as number) >= 1)
  assert.ok((inspection.bytes as number) > 0)
  assert.equal(inspection.logEntries, 0)
  assert.match(inspection.updatedAt as string, /^\d{4}-\d\d-\d\dT/)
  const readable = await ok(['inspect', ...at])
  for (const field of ['size', 'update log', 'deleted', 'clients', 'versions', 'updated']) {
    assert.match(readable, new RegExp(`^${field}\\s{2,}\\S`, 'm'))
  }
  await fails(['restore', ...at, '--version-id', 'nope'], 1, /"notes" has no version "nope"/)
})

test('compact folds one document or every one, with progress lines unless --quiet', async (t) => {
  const data = await seededDirectory(t)
  assert.equal(await ok(['compact', '--data', data, '--doc', 'notes']), 'compacted "notes"\n')
  const all = await cli(['compact', '--data', data])
  assert.equal(all.code, 0, all.stderr)
  assert.equal(all.stdout.toString(), 'compacted 2 documents\n')
  assert.equal(all.stderr, 'compact: 1/2 documents\ncompact: 2/2 documents\n')
  const quiet = await cli(['compact', '--data', data, '--quiet'])
  assert.deepEqual([quiet.code, quiet.stderr], [0, ''])
})

test('backup then restore-backup into a new data directory brings everything back, versions included', async (t) => {
  const data = await seededDirectory(t)
  const directory = await makeTempDir(t)
  const file = join(directory, 'all.collabbk')
  const backup = await cli(['backup', '--data', data, '--out', file])
  assert.equal(backup.code, 0, backup.stderr)
  assert.match(
    backup.stdout.toString(),
    /^backed up 2 documents \(\d+ versions?\) to .*all\.collabbk\n$/,
  )
  assert.equal(backup.stderr, 'backup: 1/2 documents\nbackup: 2/2 documents\n')
  assert.equal((await readFile(file)).subarray(0, 8).toString(), 'COLLABBK')

  const restoredData = join(directory, 'restored')
  assert.match(
    await ok(['restore-backup', file, '--data', restoredData, '--quiet']),
    /^restored 2 documents \(\d+ versions?\) from /,
  )
  for (const args of [['list'], ['versions', '--doc', 'notes']]) {
    assert.deepEqual(
      await json([...args, '--data', restoredData]),
      await json([...args, '--data', data]),
      args.join(' '),
    )
  }
  const { versions } = await json<{ versions: VersionJson[] }>([
    'versions',
    '--doc',
    'notes',
    '--data',
    data,
  ])
  const draft = versions.find((version) => version.name === 'first draft')!
  for (const extra of [[], ['--version-id', draft.id]]) {
    const args = ['export', '--doc', 'notes', '--format', 'yjs', ...extra]
    const original = await cli([...args, '--data', data])
    const restored = await cli([...args, '--data', restoredData])
    assert.ok(original.stdout.length > 0)
    assert.deepEqual(restored.stdout, original.stdout, extra.join(' '))
  }

  await fails(
    ['restore-backup', file, '--data', restoredData],
    1,
    /the store holds documents already \("notes" and maybe more\): .*--force/,
  )
  assert.match(
    await ok(['restore-backup', file, '--data', restoredData, '--force', '-q']),
    /^restored 2/,
  )
})

test('restore-backup --doc replaces that document only, leaving the others as they are', async (t) => {
  const data = await seededDirectory(t)
  const file = join(await makeTempDir(t), 'backup')
  await ok(['backup', '--data', data, '--out', file, '--quiet'])
  await withDocuments(data, async (documents) => {
    await setText(documents, 'notes', 'changed')
    await setText(documents, 'other', 'changed too')
  })
  const restore = await cli(['restore-backup', file, '--doc', 'notes', '--data', data])
  assert.equal(restore.code, 0, restore.stderr)
  assert.match(restore.stdout.toString(), /^restored 1 document \(\d+ versions?\) from /)
  assert.equal(restore.stderr, 'restore: 1/1 documents\n')
  await withDocuments(data, async (documents) => {
    const render = (name: string) =>
      documents.read(name, (doc) => editorFormats.render(doc, 'markdown').body)
    assert.equal(await render('notes'), markdown)
    assert.equal(await render('other'), 'changed too')
  })
  await fails(
    ['restore-backup', file, '--doc', 'absent', '--data', data],
    1,
    /backup holds no document named "absent"$/,
  )
})

test('a missing document or version fails with exit 1 and one line', async (t) => {
  const data = await seededDirectory(t)
  await fails(
    ['export', '--doc', 'nope', '--data', data],
    1,
    /^collab-server: no document named "nope"$/,
  )
  await fails(['inspect', '--doc', 'nope', '--data', data], 1, /no document named "nope"/)
  await fails(
    ['export', '--doc', 'notes', '--version-id', 'nope', '--data', data],
    1,
    /the document "notes" has no version "nope"/,
  )
})

test('a data directory a running server holds fails at once with exit 2, pointing to --url', async (t) => {
  const data = await makeTempDir(t)
  await spawnServer(t, data)
  await fails(
    ['list', '--data', data],
    2,
    new RegExp(
      `the data directory ${data} is in use by a running server: stop it, or reach it with --url`,
    ),
  )
})

test('a damaged, cut or foreign backup file restores nothing and fails with exit 1', async (t) => {
  const directory = await makeTempDir(t)
  const state = Y.encodeStateAsUpdate(new Y.Doc())
  const chunks: Uint8Array[] = []
  const backup = { name: 'd', createdAtMs: 1, updatedAtMs: 2, versions: [] }
  for await (const chunk of encodeBackup([
    { ...backup, state: { update: state, stateVector: state } },
  ])) {
    chunks.push(chunk)
  }
  const bytes = Buffer.concat(chunks)
  const damaged = Buffer.from(bytes)
  damaged[30]! ^= 0xff
  await writeFile(join(directory, 'damaged'), damaged)
  await writeFile(join(directory, 'cut'), bytes.subarray(0, bytes.length - 10))
  const target = join(directory, 'target')
  await Promise.all([
    fails(
      ['restore-backup', join(directory, 'damaged'), '--data', target],
      1,
      /damaged: the backup is damaged: record 1 \(at byte 10\) fails its checksum$/,
    ),
    fails(
      ['restore-backup', join(directory, 'cut'), '--data', target],
      1,
      /cut: the backup is truncated: /,
    ),
    fails(
      ['restore-backup', join(repositoryRoot, 'package.json'), '--data', target],
      1,
      /package\.json: not a collab-server backup: the file does not start with "COLLABBK"$/,
    ),
    fails(
      ['restore-backup', join(directory, 'absent'), '--data', target],
      1,
      /cannot read .*absent: ENOENT/,
    ),
  ])
  await assert.rejects(stat(target), 'the target directory was not even created')
})

test('bad flags fail with exit 2 and one line naming the help', async (t) => {
  const at = ['--data', await makeTempDir(t)]
  await Promise.all([
    fails(
      ['export', ...at],
      2,
      /required option '--doc <name>' not specified \(see export --help\)/,
    ),
    fails(['export', '--doc', 'n', '--format', 'pdf', ...at], 2, /Allowed choices are json, html/),
    fails(
      ['import', '--doc', 'n', '--format', 'text', ...at],
      2,
      /missing required argument 'file'/,
    ),
    fails(['list', '--bogus', ...at], 2, /unknown option '--bogus' \(see list --help\)/),
    fails(['inspect', '--doc', '', ...at], 2, /the document name is empty/),
    fails(['list', '--url', 'ftp://example.com'], 2, /expected an http:\/\/ or https:\/\/ URL/),
    fails(
      ['list', '--url', 'http://127.0.0.1:1', ...at],
      2,
      /give --data .* or --url .*, not both/,
    ),
    fails(['list', '--data', join(at[1]!, 'absent')], 2, /there is no data directory .*absent/),
  ])
})

test('each command has --help with its flags and the backend flags; the server help lists them', async () => {
  await Promise.all(
    ['list', 'export', 'compact', 'restore-backup'].map(async (command) => {
      const help = await ok([command, '--help'])
      assert.match(help, new RegExp(`^Usage: collab-server ${command} `), command)
      for (const flag of ['--data', '--url', '--token', '--help']) {
        assert.ok(help.includes(flag), `${command} ${flag}`)
      }
    }),
  )
  assert.match(await ok(['--help']), /Commands .*token, list, export, import, versions, restore,/s)
})

test('with --url the commands go through a running server’s HTTP API, seen at once by clients', async (t) => {
  const server = await spawnServer(t, await makeTempDir(t))
  const api = `http://127.0.0.1:${server.port}/api`
  const at = ['--url', `http://127.0.0.1:${server.port}`]
  // A connected client holds the document open, so its update log grows until compacted.
  const client = new Y.Doc()
  await waitSynced(connectProvider(t, server.url, 'log', client))
  await ok(['import', '--doc', 'a/b', '--format', 'markdown', '-', ...at], { input: markdown })
  await ok(['import', '--doc', 'log', '--format', 'text', '-', ...at], { input: 'one' })
  await ok(['import', '--doc', 'log', '--format', 'text', '-', ...at], { input: 'two' })
  await until(() => client.getXmlFragment('prosemirror').toString().includes('two'), {
    what: 'the client to see the import',
  })
  assert.equal(await ok(['export', '--doc', 'a/b', '--format', 'markdown', ...at]), markdown)
  const listed = await json<{ documents: Array<{ name: string; connections: number }> }>([
    'list',
    ...at,
  ])
  assert.deepEqual(
    listed.documents.map(({ name, connections }) => [name, connections]),
    [
      ['a/b', 0],
      ['log', 1],
    ],
  )
  const inspected = await json<{ logEntries: number }>(['inspect', '--doc', 'log', ...at])
  assert.ok(inspected.logEntries > 0, 'the open document has an update log')
  assert.equal(await ok(['compact', '--doc', 'log', ...at]), 'compacted "log"\n')
  assert.equal(
    (await json<{ logEntries: number }>(['inspect', '--doc', 'log', ...at])).logEntries,
    0,
  )

  const saved = await fetch(`${api}/documents/log/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'two' }),
  })
  assert.equal(saved.status, 201)
  await fetch(`${api}/documents/log/content?format=text`, { method: 'PUT', body: 'three' })
  const { versions } = await json<{ versions: VersionJson[] }>(['versions', '--doc', 'log', ...at])
  const two = versions.find((version) => version.name === 'two')!
  assert.match(
    await ok(['restore', '--doc', 'log', '--version-id', two.id, ...at]),
    /^restored "log"/,
  )
  await until(() => !client.getXmlFragment('prosemirror').toString().includes('three'), {
    what: 'the client to see the restore',
  })
  await fails(
    ['export', '--doc', 'nope', ...at],
    1,
    /no document named "nope" \(HTTP 404, COLLAB_DOCUMENT_NOT_FOUND\)$/,
  )

  const directory = await makeTempDir(t)
  const file = join(directory, 'backup')
  assert.match(await ok(['backup', '--out', file, '-q', ...at]), /^backed up 2 documents/)
  for (const name of ['a%2Fb', 'log']) {
    await fetch(`${api}/documents/${name}/content?format=text`, { method: 'PUT', body: 'changed' })
  }
  assert.match(
    await ok(['restore-backup', file, '--doc', 'a/b', '-q', ...at]),
    /^restored 1 document/,
  )
  assert.equal(await ok(['export', '--doc', 'a/b', '--format', 'markdown', ...at]), markdown)
  assert.equal(await (await fetch(`${api}/documents/log/content?format=text`)).text(), 'changed')
  await fails(['restore-backup', file, '-q', ...at], 1, /the store holds documents already/)

  const elsewhere = join(directory, 'restored')
  await ok(['restore-backup', file, '--data', elsewhere, '-q'])
  await withDocuments(elsewhere, async (documents) => {
    assert.ok((await documents.versions('log')).some((version) => version.name === 'two'))
    assert.equal(
      await documents.read('log', (doc) => editorFormats.render(doc, 'text').body),
      'two',
    )
  })
})

test('with --url, a refused call prints the API’s reason; an unreachable server says so', async (t) => {
  const secret = 'correct horse battery staple'
  const server = await spawnServer(t, await makeTempDir(t), ['--jwt-secret', secret])
  const at = ['--url', `http://127.0.0.1:${server.port}`]
  await fails(['list', ...at], 1, /^collab-server: .+ \(HTTP 401, COLLAB_UNAUTHENTICATED\)$/)
  const token = (await ok(['token', '--secret', secret, '--sub', 'ops', '--admin'])).trim()
  assert.equal(await ok(['list', ...at], { env: { COLLAB_TOKEN: token } }), 'no documents\n')
  const port = await freePort()
  await fails(
    ['list', '--url', `http://127.0.0.1:${port}`],
    1,
    /cannot reach the server at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED$/,
  )
})

test('the bundled command (dist/cli.js, the package bin) has the document commands', async (t) => {
  const run = promisify(execFile)
  await run(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: repositoryRoot })
  const data = await seededDirectory(t)
  const bin = join(repositoryRoot, 'dist/cli.js')
  const { stdout } = await run(process.execPath, [bin, 'list', '--data', data, '--json'])
  const { documents } = JSON.parse(stdout) as { documents: Array<{ name: string }> }
  assert.deepEqual(
    documents.map((entry) => entry.name),
    ['notes', 'other'],
  )
})
