// The document index (`v1\0\0document\0<room>`): which rooms hold a document, so that listing
// them reads index entries and `meta` records, never a log. Built once, at open, for a store
// written before the index existed. Imports nothing from server/.
import type { DocumentInfo, DocumentPage, DocumentQuery } from '../store.js'
import type { BatchOperation, Database, KeyRange } from './database.js'
import {
  allKeys,
  documentIndexKey,
  documentIndexRange,
  metaKey,
  recordKey,
  roomOfKey,
} from './keys.js'
import { readDocumentInfo } from './meta-record.js'

/**
 * The server-wide record whose presence says the index is complete: a store that lacks it was
 * written by a version before the index. Its value: JSON `{ "builtAtMs", "documents" }`.
 */
export const documentIndexRecord = 'document-index'

/** The index entry of a room; it goes with the batch that first writes the room's `meta`. */
export const indexPut = (room: string): BatchOperation => ({
  type: 'put',
  key: documentIndexKey(room),
  value: Buffer.from(room),
})

/** Removes a room's index entry, with its `meta`. */
export const indexDelete = (room: string): BatchOperation => ({
  type: 'del',
  key: documentIndexKey(room),
})

/**
 * Writes the index entry of every room with a `meta` record, then the `document-index` record,
 * in one synced batch; nothing when that record exists. Reads one key per room and its `meta`,
 * skipping the rest of each room's keys (its log) unread.
 */
export async function buildDocumentIndex(db: Database): Promise<void> {
  if (await db.get(recordKey(documentIndexRecord))) return
  const operations: BatchOperation[] = []
  for (let range: KeyRange = allKeys; ;) {
    const [key] = await db.readKeys({ ...range, limit: 1 })
    if (!key) break
    const { room, after } = roomOfKey(key)
    if (room !== '' && (await db.get(metaKey(room)))) operations.push(indexPut(room))
    range = after
  }
  const record = { builtAtMs: Date.now(), documents: operations.length }
  operations.push({
    type: 'put',
    key: recordKey(documentIndexRecord),
    value: Buffer.from(JSON.stringify(record)),
  })
  await db.batch(operations, true)
}

/**
 * One page of `listDocuments`: `limit` index entries from where `query` starts, one more to tell
 * whether a page follows, and the `meta` of each. `loadedInfo` gives a loaded room's information
 * (fresher than its `meta`), undefined for a room that is not loaded.
 */
export async function readDocumentPage(
  db: Database,
  query: DocumentQuery,
  loadedInfo: (room: string) => DocumentInfo | null | undefined,
): Promise<DocumentPage> {
  const range = documentIndexRange(query.prefix, query.after)
  const entries = await db.readRange({ ...range, limit: query.limit + 1 })
  const names = entries.slice(0, query.limit).map(({ value }) => value.toString('utf8'))
  const infos = await Promise.all(
    names.map(
      async (name) => loadedInfo(name) ?? readDocumentInfo(name, await db.get(metaKey(name))),
    ),
  )
  return {
    documents: infos.filter((info) => info !== null),
    next: entries.length > query.limit ? (names.at(-1) ?? null) : null,
  }
}
