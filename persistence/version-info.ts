// A saved version's record as the stores keep it: a VersionInfo as JSON, written in one key
// order and checked for its shape when read back. Imports only the interface's types.
import type { VersionAuthor, VersionInfo, VersionKind } from './store.js'

const versionKinds: readonly string[] = ['auto', 'named', 'restore'] satisfies VersionKind[]

/**
 * A version's record as JSON text, with the keys in the order of `VersionInfo` (and of
 * `VersionAuthor` for each author), whatever else the object given holds.
 */
export function versionInfoJson(info: VersionInfo): string {
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
  return JSON.stringify(record)
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

/** Whether a parsed record has the shape of a VersionInfo. */
export function isVersionInfo(value: unknown): value is VersionInfo {
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
