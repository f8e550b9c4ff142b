// The record of a saved version (`v1\0<room>\0version-info\0<id>`): a VersionInfo as JSON, and
// reading one back with its shape checked. Imports only the interface's types.
import type { VersionAuthor, VersionInfo, VersionKind } from '../store.js'

const versionKinds: readonly string[] = ['auto', 'named', 'restore'] satisfies VersionKind[]

/**
 * The stored bytes of a version's record: JSON with the keys in the order of `VersionInfo` (and
 * of `VersionAuthor` for each author), whatever else the object given holds.
 */
export function encodeVersionRecord(info: VersionInfo): Buffer {
  const record: VersionInfo = {
    id: info.id,
    name: info.name,
    kind: info.kind,
    createdAtMs: info.createdAtMs,
    bytes: info.bytes,
    authors: info.authors.map((author) => ({
      userId: author.userId,
      name: author.name,
      isVerified: author.isVerified,
      clientIds: [...author.clientIds],
    })),
  }
  return Buffer.from(JSON.stringify(record))
}

const isStringOrNull = (value: unknown): value is string | null =>
  value === null || typeof value === 'string'

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null

function isAuthor(value: unknown): value is VersionAuthor {
  return (
    isRecord(value) &&
    isStringOrNull(value.userId) &&
    isStringOrNull(value.name) &&
    typeof value.isVerified === 'boolean' &&
    Array.isArray(value.clientIds) &&
    value.clientIds.every((id) => typeof id === 'number')
  )
}

function isVersionInfo(value: unknown): value is VersionInfo {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    isStringOrNull(value.name) &&
    typeof value.kind === 'string' &&
    versionKinds.includes(value.kind) &&
    typeof value.createdAtMs === 'number' &&
    typeof value.bytes === 'number' &&
    Array.isArray(value.authors) &&
    value.authors.every(isAuthor)
  )
}

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
