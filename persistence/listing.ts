// What every store's listings share, so that they agree: the order of versions and the check of
// a document query. Imports only the interface's types; both stores import it.
import type { DocumentQuery, VersionInfo } from './store.js'

/** Sorts versions newest first: by `createdAtMs`, then by id (UTF-16 code units), descending. */
export function newestFirst(a: VersionInfo, b: VersionInfo): number {
  if (a.createdAtMs !== b.createdAtMs) return b.createdAtMs - a.createdAtMs
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}

/** Throws a RangeError for a query no store can answer: `limit` must be a whole number ≥ 1. */
export function checkDocumentQuery(query: DocumentQuery): void {
  if (!Number.isSafeInteger(query.limit) || query.limit < 1) {
    throw new RangeError(`a document query's limit must be a whole number ≥ 1, not ${query.limit}`)
  }
}
