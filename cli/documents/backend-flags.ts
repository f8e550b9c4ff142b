// The flags every document command takes to choose its backend: a stopped server's --data
// directory (the default, as the server's), or a running server's --url with its --token.
import { type Command, InvalidArgumentError, Option } from 'commander'
import { ConfigError, defaultDataDirectory } from '../config.js'
import type { DocumentBackend } from './backend.js'
import { openHttpBackend } from './http-backend.js'
import { openLocalBackend } from './local-backend.js'

/** Which backend the flags chose. */
export type BackendChoice =
  | { readonly kind: 'data'; readonly directory: string }
  | { readonly kind: 'url'; readonly url: URL; readonly token: string | null }

function parseServerUrl(value: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InvalidArgumentError('expected a URL such as http://localhost:1234.')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('expected an http:// or https:// URL.')
  }
  return url
}

/** Adds --data, --url and --token to `command`. */
export function addBackendOptions(command: Command): void {
  command
    .addOption(
      new Option('--data <dir>', "a stopped server's LevelDB data directory")
        .env('DATA_DIR')
        .default(defaultDataDirectory),
    )
    .addOption(
      new Option('--url <url>', 'a running server instead, e.g. http://localhost:1234').argParser(
        parseServerUrl,
      ),
    )
    .addOption(
      new Option('--token <token>', 'token for --url; prefer the variable (flags show in ps)').env(
        'COLLAB_TOKEN',
      ),
    )
}

/** The backend the parsed flags of `command` name; throws ConfigError when they conflict. */
export function readBackendChoice(command: Command): BackendChoice {
  const { data, url, token } = command.opts<{ data: string; url?: URL; token?: string }>()
  if (url === undefined) {
    if (command.getOptionValueSource('token') === 'cli') {
      throw new ConfigError('--token goes with --url (a data directory needs none)')
    }
    return { kind: 'data', directory: data }
  }
  if (command.getOptionValueSource('data') === 'cli') {
    throw new ConfigError('give --data (a stopped server) or --url (a running one), not both')
  }
  return { kind: 'url', url, token: token === undefined || token === '' ? null : token }
}

/** Opens the chosen backend; `mayCreate` lets a missing data directory be created. */
export function openBackend(choice: BackendChoice, mayCreate: boolean): Promise<DocumentBackend> {
  return choice.kind === 'data'
    ? openLocalBackend({ directory: choice.directory, mayCreate })
    : Promise.resolve(openHttpBackend({ url: choice.url, token: choice.token }))
}
