// Cold load: documents stored through the server, the server restarted, then the time until a
// fresh client holds the full text. Params: chars (synthetic document), trace (1: also the
// automerge-paper trace document, pushed as its full encoded state).
import * as Y from 'yjs'
import { BenchClient } from '../load/client.js'
import type { Scenario } from '../load/context.js'
import { freshRoom } from '../load/context.js'
import { settle, until } from '../load/measure.js'
import { loadTrace, replayedDoc } from '../load/trace.js'

const loadTimeoutMs = 30_000

/** A document of `chars` characters built by many small inserts at spread positions. */
function syntheticDoc(chars: number): Y.Doc {
  const doc = new Y.Doc()
  const text = doc.getText('text')
  const chunk = 'lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(2).slice(0, 100)
  for (let i = 0; text.length < chars; i++) {
    const piece = chunk.slice(0, Math.min(chunk.length, chars - text.length))
    text.insert((i * 7919) % (text.length + 1), piece)
  }
  return doc
}

async function store(context: Parameters<Scenario>[0], room: string, doc: Y.Doc): Promise<void> {
  const writer = new BenchClient(context.target(), room, { doc })
  await writer.synced
  await settle(context.server().pid, 300)
  await writer.close()
  await settle(context.server().pid, 300)
}

async function timeLoad(context: Parameters<Scenario>[0], room: string, expected: string) {
  const doc = new Y.Doc()
  const text = doc.getText('text')
  const started = performance.now()
  const reader = new BenchClient(context.target(), room, { doc })
  const isComplete = await until(() => text.length === expected.length, loadTimeoutMs, 1)
  const elapsedMs = performance.now() - started
  const isCorrect = isComplete && text.toString() === expected
  await reader.close()
  return isCorrect ? elapsedMs : null
}

/** Runs the cold-load scenario. */
export const coldLoad: Scenario = async (context, params) => {
  const { chars = 100_000, trace = 1 } = params
  const docs = [{ room: freshRoom('cold-synthetic'), doc: syntheticDoc(chars) }]
  if (trace === 1) {
    docs.push({ room: freshRoom('cold-trace'), doc: replayedDoc(loadTrace().txns.length) })
  }
  for (const { room, doc } of docs) await store(context, room, doc)
  await context.restart()
  await settle(context.server().pid)
  const window = context.openWindow()
  const times: Array<number | null> = []
  for (const { room, doc } of docs)
    times.push(await timeLoad(context, room, doc.getText('text').toString()))
  const { load, span } = window.close()
  return {
    figures: { syntheticMs: times[0] ?? null, traceMs: trace === 1 ? (times[1] ?? null) : null },
    load,
    span,
  }
}
