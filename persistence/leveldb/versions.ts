// A room's saved versions in LevelDB: the operations that put and delete one (its content and its
// record, together), and reading them back. Imports nothing from server/.
import { newestFirst } from '../listing.js'
import type { VersionInfo } from '../store.js'
import type { BatchOperation, Database } from './database.js'
import { versionInfoKey, versionInfoRange, versionKey } from './keys.js'
import { encodeVersionRecord, readVersionRecord } from './version-record.js'

/** Puts a version (replacing the one with its id); `content` is copied. */
export const versionPut = (
  room: string,
  info: VersionInfo,
  content: Uint8Array,
): BatchOperation[] => [
  { type: 'put', key: versionKey(room, info.id), value: Buffer.from(content) },
  { type: 'put', key: versionInfoKey(room, info.id), value: encodeVersionRecord(info) },
]

/** Deletes a version; nothing when there is none with `id`. */
export const versionDelete = (room: string, id: string): BatchOperation[] => [
  { type: 'del', key: versionKey(room, id) },
  { type: 'del', key: versionInfoKey(room, id) },
]

/** The room's version records, newest first (read from the records alone, not the contents). */
export async function readVersionList(db: Database, room: string): Promise<VersionInfo[]> {
  const records = await db.readRange(versionInfoRange(room))
  return records.map(({ key, value }) => readVersionRecord(value, key)).sort(newestFirst)
}
