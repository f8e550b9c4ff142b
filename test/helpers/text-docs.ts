// Small Yjs helpers for unit tests of rooms: client documents that type into their 'text', and
// reading the text an update carries.
import type { TestContext } from 'node:test'
import * as Y from 'yjs'
import { deferCleanup } from './cleanup.js'

/** Resolves after the current event-loop turn, once every pending microtask has run. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Appends `text` to the 'text' of `doc` and returns the change as an update. */
export function typeInto(doc: Y.Doc, text: string): Uint8Array {
  const before = Y.encodeStateVector(doc)
  const ytext = doc.getText('text')
  ytext.insert(ytext.length, text)
  return Y.encodeStateAsUpdate(doc, before)
}

/** The 'text' of a document made of these updates. */
export function textOf(...updates: Uint8Array[]): string {
  const doc = new Y.Doc()
  for (const update of updates) Y.applyUpdate(doc, update)
  const text = doc.getText('text').toString()
  doc.destroy()
  return text
}

/** A client document, destroyed after the test. */
export function clientDoc(t: TestContext): Y.Doc {
  const doc = new Y.Doc()
  deferCleanup(t, () => doc.destroy())
  return doc
}
