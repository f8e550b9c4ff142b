// The process's limit on open files, and the connection limit that fits under it. Every WebSocket
// holds a file descriptor, so a server allowed more connections than descriptors fails them all,
// health probes and store files included, instead of refusing the excess with 429.
import { readFileSync } from 'node:fs'

/**
 * Descriptors kept for what is not a WebSocket: LevelDB's table files (leveldown keeps up to
 * 1,000 open), its log, manifest and lock, the write-ahead log, stdio, the listening socket,
 * plain HTTP requests (health probes, editor files) and libuv's own.
 */
export const descriptorReserve = 1_100

/**
 * The soft limit on open files ("Max open files" in /proc/self/limits), or undefined where it
 * cannot be read (not Linux). Node raises the soft limit to the hard one as it starts, so this
 * is the limit the server really has, which `ulimit -n` in the parent shell may not show.
 */
export function readOpenFileLimit(path = '/proc/self/limits'): number | undefined {
  let text
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(text)?.[1]
  if (soft === undefined) return undefined
  return soft === 'unlimited' ? Infinity : Number(soft)
}

/**
 * `configured` connections, or fewer when the open-file limit is lower: the limit less the
 * reserve, and never less than half the limit (a small limit also means few store files).
 */
export function connectionsWithinOpenFiles(
  configured: number,
  openFileLimit: number | undefined,
): number {
  if (openFileLimit === undefined) return configured
  const reserve = Math.min(descriptorReserve, Math.floor(openFileLimit / 2))
  return Math.max(1, Math.min(configured, openFileLimit - reserve))
}
