// Documents and updates the attacks send or store: text that LevelDB's compression cannot shrink,
// a large document written straight into a data directory, and made-up state vectors.
import { randomBytes } from 'node:crypto'
import * as Y from 'yjs'
import { openLevelDbStore } from '../../../persistence/leveldb/store.js'

/**
 * `length` characters of random base64: one byte each in UTF-8, and random, so that LevelDB's
 * Snappy compression leaves them at full size on disk. `length` must be a multiple of 4.
 */
export function randomText(length: number): string {
  return randomBytes((length / 4) * 3).toString('base64')
}

/** Appends `text` to the 'text' of `doc` and returns the change as an update. */
export function appendText(doc: Y.Doc, text: string): Uint8Array {
  const before = Y.encodeStateVector(doc)
  const ytext = doc.getText('text')
  ytext.insert(ytext.length, text)
  return Y.encodeStateAsUpdate(doc, before)
}

/** What `storeTextDocument` wrote. */
export interface StoredTextDocument {
  /** Size of the compacted state (one Yjs update). */
  updateBytes: number
  /** Length of its 'text'. */
  textLength: number
}

/**
 * Writes a document whose 'text' holds about `bytes` of random text (typed in pieces of at most
 * `pieceBytes`) into the LevelDB store at `directory`, as its compacted state, and closes the
 * store. Both builds read the same `v1` layout (persistence/README.md), so a server of either
 * starts cold on it.
 */
export async function storeTextDocument(
  directory: string,
  room: string,
  bytes: number,
  pieceBytes = 10 * 2 ** 20,
): Promise<StoredTextDocument> {
  const doc = new Y.Doc()
  let textLength = 0
  while (textLength < bytes) {
    const piece = Math.min(pieceBytes, bytes - textLength)
    appendText(doc, randomText(piece - (piece % 4)))
    textLength = doc.getText('text').length
  }
  const update = Y.encodeStateAsUpdate(doc)
  const stateVector = Y.encodeStateVector(doc)
  doc.destroy()
  const store = await openLevelDbStore({ directory })
  try {
    await store.load(room)
    await store.compact(room, { update, stateVector }, 0)
  } finally {
    await store.close()
  }
  return { updateBytes: update.length, textLength }
}
