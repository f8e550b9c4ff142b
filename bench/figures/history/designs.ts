// The two version-history designs of history-figures.ts, built by replaying the editing trace into
// the editor's layout: A keeps the live document with `gc: false` and stores Y.snapshots; B keeps
// it with gc on and stores full states (and, derived from them, a chain of diffs).
import * as Y from 'yjs'
import { documentFragmentName } from '../../../content/document-content.js'
import { type EditingTrace, applyTraceTransaction } from '../../../test/helpers/trace.js'

/**
 * The client ID of every replay. Sizes depend on it (v1 updates write a struct's origins with
 * their client ID as a varuint); a random 32-bit ID takes 5 bytes 15 times in 16, and so does this.
 */
export const replayClientId = 0x9e3779b9

/** A document in the editor's layout and the Y.XmlText the trace edits. */
export interface EditorDoc {
  doc: Y.Doc
  text: Y.XmlText
}

/**
 * A Y.Doc as y-prosemirror stores a one-paragraph document: the XmlFragment `prosemirror` holds a
 * `paragraph` Y.XmlElement holding one Y.XmlText.
 */
export function createEditorDoc(isGcOn: boolean): EditorDoc {
  const doc = new Y.Doc({ gc: isGcOn })
  doc.clientID = replayClientId
  const paragraph = new Y.XmlElement('paragraph')
  const text = new Y.XmlText()
  doc.transact(() => {
    doc.getXmlFragment(documentFragmentName).insert(0, [paragraph])
    paragraph.insert(0, [text])
  })
  return { doc, text }
}

/** A replayed design: the live document, its versions in order, and what the replay took. */
export interface History extends EditorDoc {
  /** Design A: encoded Y.Snapshots; design B: v1 states (Y.encodeStateAsUpdate). */
  versions: Uint8Array[]
  /** Wall time of the replay, taking the versions included. */
  applyMs: number
  /** The part of `applyMs` spent taking and encoding versions. */
  versionMs: number
}

/**
 * Replays `trace` into a fresh editor document and takes a version after every `every`
 * transactions and after the last: design A (`isGcOn` false) or B (true).
 */
export function replay(trace: EditingTrace, every: number, isGcOn: boolean): History {
  const { doc, text } = createEditorDoc(isGcOn)
  const versions: Uint8Array[] = []
  const takeVersion = isGcOn
    ? () => Y.encodeStateAsUpdate(doc)
    : () => Y.encodeSnapshot(Y.snapshot(doc))
  let versionMs = 0
  const startedAt = performance.now()
  const last = trace.txns.length - 1
  trace.txns.forEach((transaction, i) => {
    applyTraceTransaction(text, transaction)
    if ((i + 1) % every === 0 || i === last) {
      const versionAt = performance.now()
      versions.push(takeVersion())
      versionMs += performance.now() - versionAt
    }
  })
  return { doc, text, versions, applyMs: performance.now() - startedAt, versionMs }
}

/**
 * Design B as a delta chain: each version as `Y.diffUpdate` of its state against the state
 * vector of the version before (the first against nothing), and the time the diffs took.
 */
export function deltaChain(states: readonly Uint8Array[]): { deltas: Uint8Array[]; ms: number } {
  const startedAt = performance.now()
  let previousVector = Y.encodeStateVector(new Y.Doc())
  const deltas = states.map((state) => {
    const delta = Y.diffUpdate(state, previousVector)
    previousVector = Y.encodeStateVectorFromUpdate(state)
    return delta
  })
  return { deltas, ms: performance.now() - startedAt }
}

/** The text of a stored v1 state, read from a fresh document. */
export function textOfState(state: Uint8Array): string {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, state)
  const paragraph = doc.getXmlFragment(documentFragmentName).get(0) as Y.XmlElement
  const text = (paragraph.get(0) as Y.XmlText).toJSON()
  doc.destroy()
  return text
}
