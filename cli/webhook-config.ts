// The webhook flags: where change events are POSTed, the secret that signs them, how they are
// debounced and what content they carry (webhooks/).
import { type Command, Option } from 'commander'
import { type ContentFormat, contentFormats } from '../content/document-content.js'
import { parseCount } from './flag-values.js'
import { parseHttpUrl } from './security-config.js'

/** What the webhook flags configure; null in Config when no --webhook-url is given. */
export interface WebhookConfig {
  urls: string[]
  secret: string
  debounceMs: number
  maxWaitMs: number
  content: ContentFormat | undefined
  maxConcurrentCalls: number
}

/** Signing secrets shorter than this are refused: an HMAC key should not be guessable. */
const minSecretLength = 16

// Repeated flags add up; the environment variable takes a comma-separated list.
function collectUrls(value: string, previous: string[] | undefined): string[] {
  const urls = value.split(',').map((url) => parseHttpUrl(url.trim()))
  return [...(previous ?? []), ...urls]
}

/** Adds the webhook flags to the server's command. */
export function addWebhookOptions(program: Command): void {
  program
    .addOption(
      new Option(
        '--webhook-url <url>',
        'POST document events here (repeat for several; env: comma-separated)',
      )
        .env('WEBHOOK_URL')
        .argParser(collectUrls),
    )
    .addOption(
      new Option(
        '--webhook-secret <secret>',
        `sign webhook calls with this secret (HMAC-SHA256, at least ${minSecretLength} characters)`,
      ).env('WEBHOOK_SECRET'),
    )
    .addOption(
      new Option('--webhook-debounce-ms <ms>', 'one document.changed per burst of edits this quiet')
        .env('WEBHOOK_DEBOUNCE_MS')
        .default(2000)
        .argParser(parseCount),
    )
    .addOption(
      new Option(
        '--webhook-max-wait-ms <ms>',
        'a document edited without pause still gets a document.changed this often',
      )
        .env('WEBHOOK_MAX_WAIT_MS')
        .default(10_000)
        .argParser(parseCount),
    )
    .addOption(
      new Option(
        '--webhook-concurrency <count>',
        'calls in flight per URL (a document’s events still go one at a time, in order)',
      )
        .env('WEBHOOK_CONCURRENCY')
        .default(8)
        .argParser(parseCount),
    )
    .addOption(
      new Option('--webhook-content <format>', 'send the document content with each event')
        .env('WEBHOOK_CONTENT')
        .choices(contentFormats),
    )
}

/** Reads the webhook flags; returns a one-line problem for flags that do not fit together. */
export function readWebhookConfig(program: Command): WebhookConfig | null | string {
  const value = <T>(name: string): T => program.getOptionValue(name) as T
  const urls = value<string[] | undefined>('webhookUrl')
  const secret = value<string | undefined>('webhookSecret')
  const debounceMs = value<number>('webhookDebounceMs')
  const maxWaitMs = value<number>('webhookMaxWaitMs')
  if (!urls) {
    return secret === undefined ? null : '--webhook-secret needs --webhook-url'
  }
  if (secret === undefined) {
    return '--webhook-url needs --webhook-secret: receivers verify X-Collab-Signature with it'
  }
  if (secret.length < minSecretLength) {
    return `--webhook-secret must be at least ${minSecretLength} characters long`
  }
  if (maxWaitMs < debounceMs) {
    return '--webhook-max-wait-ms must not be shorter than --webhook-debounce-ms'
  }
  return {
    urls,
    secret,
    debounceMs,
    maxWaitMs,
    content: value('webhookContent'),
    maxConcurrentCalls: value('webhookConcurrency'),
  }
}
