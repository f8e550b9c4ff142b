// Structured logging (pino): JSON lines, or coloured readable lines when writing to a terminal.
import { pino, type Logger } from 'pino'
import pretty from 'pino-pretty'

export type { Logger }

/** Log levels accepted by --log-level. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof logLevels)[number]

/**
 * Creates the server's logger. `destination` defaults to stdout; it gets readable coloured lines
 * when it is a terminal and JSON lines (one object per line) otherwise.
 */
export function createLogger(
  level: LogLevel,
  destination: NodeJS.WritableStream = process.stdout,
): Logger {
  const isTerminal = 'isTTY' in destination && destination.isTTY === true
  if (!isTerminal) return pino({ level }, destination)
  return pino({ level }, pretty({ destination, colorize: true, translateTime: 'SYS:HH:MM:ss.l' }))
}
