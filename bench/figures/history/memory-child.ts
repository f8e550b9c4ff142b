// A child process of history-figures.ts: loads stored updates into fresh Y.Docs and prints, as one
// JSON line, how much the V8 heap grew per document (heapUsed after full collections, minus the
// same before). Usage:
//   node --expose-gc --import tsx bench/figures/history/memory-child.ts <gc|no-gc> <file>...
import { readFileSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import * as Y from 'yjs'

/** Documents held at once: the heap's growth divided by this is steadier than one document's. */
const copies = 10

const [mode, ...files] = process.argv.slice(2)
const collect = globalThis.gc
if ((mode !== 'gc' && mode !== 'no-gc') || files.length === 0 || !collect) {
  console.error('usage: node --expose-gc memory-child.ts <gc|no-gc> <file>...')
  process.exit(2)
}

// The files are read first: Buffers live outside the heap, and the baseline should hold them.
const updates = files.map((file) => new Uint8Array(readFileSync(file)))

function load(): Y.Doc {
  const doc = new Y.Doc({ gc: mode === 'gc' })
  for (const update of updates) Y.applyUpdate(doc, update)
  return doc
}

// V8 keeps some objects of a job alive until the job ends, so collect on a later turn.
async function settledHeapBytes(): Promise<number> {
  await delay(10)
  for (let i = 0; i < 4; i++) collect!()
  return process.memoryUsage().heapUsed
}

// A first load compiles Yjs's decoding code (compiled code lives on the heap too). Its document
// stays alive, inside the baseline: freeing it would leave the baseline to the collector's timing.
const warmUp = load()
const baselineBytes = await settledHeapBytes()
const docs = Array.from({ length: copies }, load)
const heapBytes = ((await settledHeapBytes()) - baselineBytes) / copies
// Reading the documents after the measurement keeps them alive through it.
const characters = docs[0]!.getXmlFragment('prosemirror').toString().length
if (warmUp.getXmlFragment('prosemirror').length !== docs[0]!.getXmlFragment('prosemirror').length) {
  throw new Error('the warm-up document differs from the measured ones')
}
console.log(JSON.stringify({ heapBytes, characters, copies: docs.length }))
