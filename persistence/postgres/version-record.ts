// A saved version's record as the `versions.info` column holds it: a VersionInfo as JSON (the
// `json` type keeps the text as written, so any string survives, U+0000 included; written with
// versionInfoJson), and reading one back with its shape checked.
import type { VersionInfo } from '../store.js'
import { isVersionInfo } from '../version-info.js'

/**
 * The VersionInfo of a stored record (`pg` has parsed the JSON); throws, naming the room and id,
 * when it is not one, or when it names another id than its row.
 */
export function readVersionRecord(stored: unknown, room: string, id: string): VersionInfo {
  if (!isVersionInfo(stored) || stored.id !== id) {
    throw new Error(
      `the record of version ${JSON.stringify(id)} of room ${JSON.stringify(room)} is malformed`,
    )
  }
  return stored
}
