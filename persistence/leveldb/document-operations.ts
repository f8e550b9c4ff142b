// The batches that delete a whole document or replace it by an imported one. They list the keys
// the document has in LevelDB, so the store builds them only once nothing of the room is queued.
// Imports nothing from server/.
import type { DocumentImport } from '../store.js'
import type { BatchOperation, Database } from './database.js'
import { indexDelete, indexPut } from './document-index.js'
import {
  compactedKeys,
  logRange,
  metaKey,
  parseSeq,
  seqOfLogKey,
  seqValue,
  versionIdOfInfoKey,
  versionInfoRange,
  versionKey,
} from './keys.js'
import { encodeMetaRecord } from './meta-record.js'

/** The room's log keys, and the last sequence number it used (0 for none). */
async function readLog(db: Database, room: string): Promise<{ keys: Buffer[]; lastSeq: number }> {
  const [keys, compactedSeq] = await Promise.all([
    db.readKeys(logRange(room)),
    db.get(compactedKeys(room).seq),
  ])
  const lastKey = keys.at(-1)
  const lastSeq = Math.max(
    lastKey ? seqOfLogKey(lastKey) : 0,
    compactedSeq ? parseSeq(compactedSeq) : 0,
  )
  return { keys, lastSeq }
}

const deleteEach = (keys: Buffer[]): BatchOperation[] => keys.map((key) => ({ type: 'del', key }))

/**
 * Deletes the room's `meta`, index entry, compacted state, log and versions. `snapshot-seq`
 * stays, set to the last sequence number: a later load goes on after it, and a replay of the
 * write-ahead log skips the appends it covers instead of bringing them back.
 */
export async function deleteDocumentOperations(
  db: Database,
  room: string,
): Promise<BatchOperation[]> {
  const [log, versionInfoKeys] = await Promise.all([
    readLog(db, room),
    db.readKeys(versionInfoRange(room)),
  ])
  const compacted = compactedKeys(room)
  const versionKeys = versionInfoKeys.map((key) => versionKey(room, versionIdOfInfoKey(room, key)))
  return [
    { type: 'del', key: metaKey(room) },
    indexDelete(room),
    { type: 'del', key: compacted.update },
    { type: 'del', key: compacted.stateVector },
    log.lastSeq > 0
      ? { type: 'put', key: compacted.seq, value: seqValue(log.lastSeq) }
      : { type: 'del', key: compacted.seq },
    ...deleteEach(log.keys),
    ...deleteEach(versionKeys),
    ...deleteEach(versionInfoKeys),
  ]
}

/**
 * Replaces the room's compacted state by `content.state`, covering every sequence number used so
 * far, drops its log, and writes its `meta` (with the times given) and index entry. Versions stay.
 */
export async function importDocumentOperations(
  db: Database,
  room: string,
  content: DocumentImport,
): Promise<BatchOperation[]> {
  const log = await readLog(db, room)
  const compacted = compactedKeys(room)
  const times = {
    createdAtMs: content.createdAtMs,
    updatedAtMs: content.updatedAtMs,
    snapshotBytes: content.state.update.length,
  }
  return [
    ...deleteEach(log.keys),
    { type: 'put', key: compacted.update, value: Buffer.from(content.state.update) },
    { type: 'put', key: compacted.stateVector, value: Buffer.from(content.state.stateVector) },
    { type: 'put', key: compacted.seq, value: seqValue(log.lastSeq) },
    { type: 'put', key: metaKey(room), value: encodeMetaRecord(times, 0, 0) },
    indexPut(room),
  ]
}
