import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { decodeJwt } from 'jose'
import { createJwtAuthenticator } from '../../auth/jwt-authenticator.js'
import { ConfigError } from '../../cli/config.js'
import { runTokenCommand } from '../../cli/token-command.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { expectPrincipal, withToken } from './jwt-fixtures.js'

const secret = 'command-test-secret'

/** Runs the command and returns its exit code and everything it printed. */
async function run(args: string[]): Promise<{ code: number; output: string }> {
  let output = ''
  const code = await runTokenCommand(args, (text) => (output += text))
  return { code, output }
}

/** Sets JWT_SECRET (or removes it) for the test, restoring it afterwards. */
function setSecretVariable(t: TestContext, value: string | undefined): void {
  const previous = process.env.JWT_SECRET
  if (value === undefined) delete process.env.JWT_SECRET
  else process.env.JWT_SECRET = value
  deferCleanup(t, () => {
    if (previous === undefined) delete process.env.JWT_SECRET
    else process.env.JWT_SECRET = previous
  })
}

test('token prints only a token and a newline, and the verifier accepts it', async (t) => {
  setSecretVariable(t, undefined)
  const { code, output } = await run([
    '--secret',
    secret,
    '--sub',
    'alice',
    '--name',
    'Alice',
    '--docs',
    'team-a/*=write',
    '--docs',
    'public/*=read',
    '--admin',
    '--expires',
    '15m',
  ])
  assert.equal(code, 0)
  assert.match(output, /^[\w-]+\.[\w-]+\.[\w-]+\n$/)
  const principal = await expectPrincipal(
    await createJwtAuthenticator({ secret }),
    withToken(output.trim()),
  )
  assert.equal(principal.userId, 'alice')
  assert.equal(principal.name, 'Alice')
  assert.equal(principal.isAdmin, true)
  assert.equal(principal.access('team-a/plan'), 'write')
  assert.equal(principal.access('public/readme'), 'read')
  assert.equal(principal.access('private/diary'), null)
  const { exp = 0, iat = 0 } = decodeJwt(output.trim())
  assert.equal(exp - iat, 900)
})

test('token reads the secret from JWT_SECRET and expires in an hour by default', async (t) => {
  setSecretVariable(t, secret)
  const { code, output } = await run(['--sub', 'bob', '--docs', 'notes=read'])
  assert.equal(code, 0)
  const claims = decodeJwt(output.trim())
  assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 3600)
  assert.equal(claims.admin, undefined)
  await expectPrincipal(await createJwtAuthenticator({ secret }), withToken(output.trim()))
})

test('token --help prints the flags and exits 0', async () => {
  const { code, output } = await run(['--help'])
  assert.equal(code, 0)
  for (const flag of ['--secret', '--sub', '--name', '--docs', '--admin', '--expires']) {
    assert.ok(output.includes(flag), flag)
  }
  assert.match(output, /env: JWT_SECRET/)
  assert.match(output, /default: 1h/)
})

/** Asserts that `args` are refused with a one-line ConfigError matching `message`. */
async function assertRefused(args: string[], message: RegExp): Promise<void> {
  await assert.rejects(run(args), (error: unknown) => {
    assert.ok(error instanceof ConfigError, `a ConfigError, not ${String(error)}`)
    assert.match(error.message, message)
    assert.doesNotMatch(error.message, /\n/)
    return true
  })
}

test('token refuses bad --docs entries with a ConfigError', async (t) => {
  setSecretVariable(t, undefined)
  const base = ['--secret', secret, '--sub', 'alice']
  await assertRefused(
    [...base, '--docs', 'team-a/*'],
    /^--docs: 'team-a\/\*' is not pattern=read or pattern=write, e\.g\. 'team-a\/\*=write'$/,
  )
  await assertRefused([...base, '--docs', 'team-a/*=owner'], /is not pattern=read or pattern=write/)
  await assertRefused(
    [...base, '--docs', 'x=read', '--docs', 'x=write'],
    /^--docs: 'x' is given both read and write access$/,
  )
  await assertRefused(base, /^give at least one --docs \(e\.g\. 'team-a\/\*=write'\) or --admin$/)
})

test('token refuses a bad --expires with a ConfigError', async (t) => {
  setSecretVariable(t, undefined)
  for (const expires of ['1w', '10', '0m', 'soon']) {
    await assertRefused(
      ['--secret', secret, '--sub', 'alice', '--docs', 'a=read', '--expires', expires],
      /--expires <duration>' argument '.*' is invalid\. expected a duration such as 30s, 15m, 1h or 7d\. \(see token --help\)$/,
    )
  }
})

test('token refuses a missing secret or sub and unknown flags, never echoing the secret', async (t) => {
  setSecretVariable(t, undefined)
  await assertRefused(
    ['--sub', 'alice', '--docs', 'a=read'],
    /^a secret is required: --secret or JWT_SECRET$/,
  )
  await assertRefused(['--secret', secret, '--docs', 'a=read'], /^--sub is required$/)
  await assertRefused(['--secret', secret, '--sub', 'alice', '--bogus'], /unknown option '--bogus'/)
  await assert.rejects(run(['--secret', secret, '--sub', 'alice', 'extra']), (error: unknown) => {
    assert.ok(error instanceof ConfigError)
    assert.ok(!error.message.includes(secret), 'the secret is not echoed')
    return true
  })
})
