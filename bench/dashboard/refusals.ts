// Upgrades the server refuses: connections to a document name with a control character in it
// (COLLAB_BAD_DOCUMENT_NAME), and more connections to one document than it accepts
// (COLLAB_DOCUMENT_FULL, with the recorder's --max-connections-per-room).
import WebSocket from 'ws'
import { BenchClient, closeAll } from '../load/client.js'
import type { Target } from '../load/client.js'
import { sleep } from '../load/measure.js'

/** Resolves once an upgrade to `path` of `baseUrl` has been answered, refused or not. */
function attempt(baseUrl: string, path: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${baseUrl}${path}`)
    socket.once('error', () => resolve())
    socket.once('open', () => {
      socket.close()
      resolve()
    })
  })
}

/** Asks for `count` documents whose names are refused, one after another. */
export async function refuseBadNames(baseUrl: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await attempt(baseUrl, `/bad%00name-${i}`)
}

/**
 * Fills `room` of `target` to its limit of `limit` connections, then `waves` times opens `extra`
 * more, `gapMs` apart: the server refuses each of them. Resolves once the last wave was answered
 * and every accepted connection is closed again. (Prometheus sees a counter's first value as its
 * start, so only the waves after the first show as a rate.)
 */
export async function overfillDocument(
  target: Target,
  room: string,
  limit: number,
  waves: { count: number; extra: number; gapMs: number },
): Promise<void> {
  const open = (count: number): BenchClient[] =>
    Array.from({ length: count }, () => new BenchClient(target, room, {}))
  const settled = (clients: BenchClient[]) =>
    Promise.allSettled(clients.map((client) => client.synced))
  const members = open(limit)
  await settled(members)
  for (let wave = 0; wave < waves.count; wave++) {
    if (wave > 0) await sleep(waves.gapMs)
    await settled(open(waves.extra))
  }
  await closeAll(members)
}
