// The real material the fuzzer starts from: the updates of the first transactions of the editing
// trace (../shared/traces), as one Yjs client typed them, and the document state at checkpoints.
import * as Y from 'yjs'
import { type TraceTransaction, applyTraceTransaction, loadTrace } from '../test/helpers/trace.js'

/** The Yjs client id the corpus's trace updates carry; writers and crafted updates use others. */
export const traceClientId = 100

/** The document after the first `transactions` trace transactions. */
export interface Checkpoint {
  readonly transactions: number
  /** The whole document as one update (what an offline client's sync step 2 carries). */
  readonly state: Uint8Array
  readonly stateVector: Uint8Array
}

/** Trace material for frames, built once per run; the same for every seed. */
export interface TraceCorpus {
  /** `updates[i]` is trace transaction i as the update Yjs emitted for it. */
  readonly updates: readonly Uint8Array[]
  /** Every `checkpointEvery` transactions from 0; a run from checkpoint c continues at updates[c]. */
  readonly checkpoints: readonly Checkpoint[]
}

const checkpointEvery = 250

/** Replays the first `transactions` trace transactions and keeps their updates and checkpoints. */
export function buildTraceCorpus(transactions: readonly TraceTransaction[]): TraceCorpus {
  const doc = new Y.Doc()
  doc.clientID = traceClientId
  const text = doc.getText('text')
  const updates: Uint8Array[] = []
  const checkpoints: Checkpoint[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  transactions.forEach((transaction, index) => {
    if (index % checkpointEvery === 0) {
      checkpoints.push({
        transactions: index,
        state: Y.encodeStateAsUpdate(doc),
        stateVector: Y.encodeStateVector(doc),
      })
    }
    applyTraceTransaction(text, transaction)
  })
  doc.destroy()
  return { updates, checkpoints }
}

/**
 * The first `count` trace transactions. The parsed trace is large (260k transactions), so only
 * the slice is kept.
 */
export function loadTraceTransactions(count: number): TraceTransaction[] {
  return loadTrace().txns.slice(0, count)
}
