// The record of a saved version (`v1\0<room>\0version-info\0<id>`): a VersionInfo as JSON, and
// reading one back with its shape checked.
import type { VersionInfo } from '../store.js'
import { isVersionInfo, versionInfoJson } from '../version-info.js'

/** The stored bytes of a version's record. */
export const encodeVersionRecord = (info: VersionInfo): Buffer => Buffer.from(versionInfoJson(info))

/** The VersionInfo of a stored record; throws, naming the key, when it is not one. */
export function readVersionRecord(stored: Buffer, key: Buffer): VersionInfo {
  let value: unknown
  try {
    value = JSON.parse(stored.toString('utf8'))
  } catch {
    value = undefined
  }
  if (!isVersionInfo(value)) {
    throw new Error(`the version record ${JSON.stringify(key.toString('utf8'))} is malformed`)
  }
  return value
}
