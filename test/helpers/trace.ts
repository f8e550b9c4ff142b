// The real-world editing trace in ../shared/traces (see its README): loading and replaying it.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import type * as Y from 'yjs'

/** One trace transaction: patches `[position, deleteCount, insertText]`, applied in order. */
export interface TraceTransaction {
  patches: Array<[number, number, string]>
}

/** The whole editing history of a paper and its final text. */
export interface EditingTrace {
  endContent: string
  txns: TraceTransaction[]
}

/** Where the trace lives: shared/ beside the repository, as on developer machines and in CI. */
export const tracePath = fileURLToPath(
  new URL('../../../shared/traces/automerge-paper.json.gz', import.meta.url),
)

/** True when the trace file is present. */
export const hasTrace = existsSync(tracePath)

/** Loads and parses the trace. */
export function loadTrace(): EditingTrace {
  return JSON.parse(gunzipSync(readFileSync(tracePath)).toString('utf8')) as EditingTrace
}

/** Applies one trace transaction to a Y.Text as one Yjs transaction. */
export function applyTraceTransaction(text: Y.Text, transaction: TraceTransaction): void {
  text.doc!.transact(() => {
    for (const [position, deleteCount, insert] of transaction.patches) {
      if (deleteCount > 0) text.delete(position, deleteCount)
      if (insert) text.insert(position, insert)
    }
  })
}
