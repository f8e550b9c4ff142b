// The `token` command: mints an HS256 token for a server that verifies with the same secret.
// Prints the token and nothing else, so that `$(collab-server token …)` captures just it.
import { Command, InvalidArgumentError, Option } from 'commander'
import { mintToken, parseDocsEntries, parseDurationSeconds } from '../auth/mint-token.js'
import { ConfigError, parseFlags } from './config.js'

function parseExpires(value: string): number {
  try {
    return parseDurationSeconds(value)
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`)
  }
}

function buildProgram(): Command {
  return new Command('collab-server token')
    .description('Print a signed token (HS256) for a server started with the same secret.')
    .addOption(
      new Option('--secret <secret>', 'shared secret; prefer the variable (flags show in ps)').env(
        'JWT_SECRET',
      ),
    )
    .addOption(new Option('--sub <id>', 'user id (sub claim); required'))
    .addOption(new Option('--name <name>', 'display name (name claim)'))
    .addOption(
      new Option(
        '--docs <pattern=access>',
        "document access, repeatable: 'team-a/*=write'",
      ).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
    )
    .addOption(new Option('--admin', 'may do server-wide operations (admin claim)'))
    .addOption(
      new Option('--expires <duration>', 'lifetime: 30s, 15m, 1h, 7d')
        .default(3600, '1h')
        .argParser(parseExpires),
    )
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
}

interface TokenFlags {
  secret?: string
  sub?: string
  name?: string
  docs?: string[]
  admin?: boolean
  expires: number
}

/**
 * Runs `token` with `args` (the words after `token`): prints the token and a newline with
 * `print`, or the help for --help, and resolves with the exit code. Throws ConfigError with a
 * one-line message for a missing or bad flag. Never prints the secret.
 */
export async function runTokenCommand(
  args: string[],
  print: (text: string) => void,
): Promise<number> {
  const program = buildProgram()
  if (!parseFlags(program, args, print, 'token --help')) return 0
  const flags = program.opts<TokenFlags>()
  if (flags.secret === undefined || flags.secret === '') {
    throw new ConfigError('a secret is required: --secret or JWT_SECRET')
  }
  if (flags.sub === undefined || flags.sub === '') throw new ConfigError('--sub is required')
  if (flags.docs === undefined && flags.admin !== true) {
    throw new ConfigError("give at least one --docs (e.g. 'team-a/*=write') or --admin")
  }
  let docs
  try {
    docs = parseDocsEntries(flags.docs ?? [])
  } catch (error) {
    throw new ConfigError(`--docs: ${(error as Error).message}`)
  }
  const token = await mintToken({
    secret: flags.secret,
    sub: flags.sub,
    ...(flags.name === undefined ? {} : { name: flags.name }),
    docs,
    admin: flags.admin === true,
    expiresInSeconds: flags.expires,
  })
  print(`${token}\n`)
  return 0
}
