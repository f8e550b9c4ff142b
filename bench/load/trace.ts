// The automerge-paper editing trace (../shared/traces/): loading it and replaying it into a
// Y.Text named 'text', the shared type every scenario uses.
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import * as Y from 'yjs'

/** Location of the trace, relative to the repository root. */
export const tracePath = '../shared/traces/automerge-paper.json.gz'

/** One patch: at `pos`, delete `delCount` characters, then insert the text. */
export type Patch = [pos: number, delCount: number, insert: string]

/** The trace: transactions of patches, and the text after the last one. */
export interface Trace {
  txns: Array<{ patches: Patch[] }>
  endContent: string
}

let cached: Trace | null = null

/** Loads the trace once per process. */
export function loadTrace(): Trace {
  cached ??= JSON.parse(gunzipSync(readFileSync(tracePath)).toString('utf8')) as Trace
  return cached
}

/** Applies one trace transaction to `doc` as one Yjs transaction. */
export function applyTxn(doc: Y.Doc, patches: Patch[]): void {
  const text = doc.getText('text')
  doc.transact(() => {
    for (const [pos, delCount, insert] of patches) {
      if (delCount > 0) text.delete(pos, delCount)
      if (insert.length > 0) text.insert(pos, insert)
    }
  })
}

/** Replays the first `count` transactions into a fresh document. */
export function replayLocally(trace: Trace, count: number): Y.Doc {
  const doc = new Y.Doc()
  for (const txn of trace.txns.slice(0, count)) applyTxn(doc, txn.patches)
  return doc
}

const replayedStates = new Map<number, Uint8Array>()

/**
 * A fresh document holding the first `count` transactions, replayed once per process and count
 * and then copied from its encoded state.
 */
export function replayedDoc(count: number): Y.Doc {
  let state = replayedStates.get(count)
  if (!state) {
    state = Y.encodeStateAsUpdate(replayLocally(loadTrace(), count))
    replayedStates.set(count, state)
  }
  const doc = new Y.Doc()
  Y.applyUpdate(doc, state)
  return doc
}
