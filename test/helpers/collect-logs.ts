// A logger for tests that keeps every line it writes, parsed, so a test can look at what was logged.
import { Writable } from 'node:stream'
import { type Logger, createLogger } from '../../server/logger.js'

/** A logger at level debug whose lines end up, parsed, in `logs`. */
export function collectLogs(): { logger: Logger; logs: Array<Record<string, unknown>> } {
  const logs: Array<Record<string, unknown>> = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) logs.push(JSON.parse(line) as Record<string, unknown>)
      }
      callback()
    },
  })
  return { logger: createLogger('debug', sink), logs }
}
