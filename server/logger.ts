// Structured logging (pino): JSON lines, or coloured readable lines when writing to a terminal.
import { pino, type Logger } from 'pino'
import pretty from 'pino-pretty'

export type { Logger }

/** Log levels accepted by --log-level. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof logLevels)[number]

// Credentials never reach a log line: a `token` (or `access_token`) query parameter, a bearer
// token and anything shaped like a JWT (a cookie's, say) are replaced wherever they appear,
// whatever field holds them.
const credentialPatterns: ReadonlyArray<[RegExp, string]> = [
  [/([?&](?:token|access_token)=)[^&\s"#]*/gi, '$1[redacted]'],
  [/(\bBearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1[redacted]'],
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[redacted]'],
]

/** A log line with its credentials replaced by `[redacted]`. */
function redactCredentials(line: string): string {
  let redacted = line
  for (const [pattern, replacement] of credentialPatterns) {
    redacted = redacted.replace(pattern, replacement)
  }
  return redacted
}

/**
 * Creates the server's logger. `destination` defaults to stdout; it gets readable coloured lines
 * when it is a terminal and JSON lines (one object per line) otherwise.
 */
export function createLogger(
  level: LogLevel,
  destination: NodeJS.WritableStream = process.stdout,
): Logger {
  const isTerminal = 'isTTY' in destination && destination.isTTY === true
  const options = { level, hooks: { streamWrite: redactCredentials } }
  if (!isTerminal) return pino(options, destination)
  return pino(options, pretty({ destination, colorize: true, translateTime: 'SYS:HH:MM:ss.l' }))
}
