// The HTTP API's JSON for documents, versions and inspections (times as ISO 8601 strings), both
// ways: read from a running server's replies, and written by --json, so that both backends print
// what the API answers.
import type { VersionAuthor, VersionInfo, VersionKind } from '../../persistence/store.js'
import type { DocumentEntry, DocumentInspection } from '../../server/index.js'
import { CommandError } from './command-error.js'

type Json = Record<string, unknown>

const iso = (ms: number): string => new Date(ms).toISOString()

const unexpected = (what: string): CommandError =>
  new CommandError(`the server answered with JSON this command does not read (at ${what})`)

/** A document's entry as GET /api/documents lists it. */
export const entryToJson = (entry: DocumentEntry): Json => ({
  name: entry.name,
  bytes: entry.bytes,
  createdAt: iso(entry.createdAtMs),
  updatedAt: iso(entry.updatedAtMs),
  connections: entry.connections,
})

/** A version's entry as GET /api/documents/{name}/versions lists it. */
export const versionToJson = (version: VersionInfo): Json => ({
  id: version.id,
  name: version.name,
  kind: version.kind,
  createdAt: iso(version.createdAtMs),
  authors: version.authors.map((author) => ({
    userId: author.userId,
    name: author.name,
    verified: author.isVerified,
    clientIds: author.clientIds,
  })),
  bytes: version.bytes,
})

/** An inspection as GET /api/documents/{name}/inspect answers it. */
export const inspectionToJson = ({
  createdAtMs,
  updatedAtMs,
  ...rest
}: DocumentInspection): Json => ({
  ...rest,
  createdAt: iso(createdAtMs),
  updatedAt: iso(updatedAtMs),
})

/** Reads the fields of a JSON object a server answered; `what` names it for the message. */
export class JsonReader {
  readonly #object: Json
  readonly #what: string

  constructor(value: unknown, what: string) {
    if (typeof value !== 'object' || value === null) throw unexpected(what)
    this.#object = value as Json
    this.#what = what
  }

  string(key: string): string {
    return this.#typed(key, (value): value is string => typeof value === 'string')
  }

  stringOrNull(key: string): string | null {
    return this.#typed(
      key,
      (value): value is string | null => value === null || typeof value === 'string',
    )
  }

  boolean(key: string): boolean {
    return this.#typed(key, (value): value is boolean => typeof value === 'boolean')
  }

  number(key: string): number {
    return this.#typed(key, (value): value is number => typeof value === 'number')
  }

  /** An ISO 8601 time, as Unix ms. */
  time(key: string): number {
    const ms = Date.parse(this.string(key))
    if (Number.isNaN(ms)) throw unexpected(`${this.#what}.${key}`)
    return ms
  }

  array(key: string): unknown[] {
    return this.#typed(key, (value): value is unknown[] => Array.isArray(value))
  }

  #typed<T>(key: string, isType: (value: unknown) => value is T): T {
    const value = this.#object[key]
    if (!isType(value)) throw unexpected(`${this.#what}.${key}`)
    return value
  }
}

/** A document's entry from the API's JSON. */
export function entryFromJson(value: unknown): DocumentEntry {
  const json = new JsonReader(value, 'document')
  return {
    name: json.string('name'),
    bytes: json.number('bytes'),
    createdAtMs: json.time('createdAt'),
    updatedAtMs: json.time('updatedAt'),
    connections: json.number('connections'),
  }
}

function authorFromJson(value: unknown): VersionAuthor {
  const json = new JsonReader(value, 'author')
  return {
    userId: json.stringOrNull('userId'),
    name: json.stringOrNull('name'),
    isVerified: json.boolean('verified'),
    clientIds: json.array('clientIds').map((id) => {
      if (typeof id !== 'number') throw unexpected('author.clientIds')
      return id
    }),
  }
}

/** A version's entry from the API's JSON. */
export function versionFromJson(value: unknown): VersionInfo {
  const json = new JsonReader(value, 'version')
  const kind = json.string('kind')
  if (kind !== 'auto' && kind !== 'named' && kind !== 'restore') throw unexpected('version.kind')
  return {
    id: json.string('id'),
    name: json.stringOrNull('name'),
    kind: kind satisfies VersionKind,
    createdAtMs: json.time('createdAt'),
    bytes: json.number('bytes'),
    authors: json.array('authors').map(authorFromJson),
  }
}

/** An inspection from the API's JSON. */
export function inspectionFromJson(value: unknown): DocumentInspection {
  const json = new JsonReader(value, 'inspection')
  return {
    name: json.string('name'),
    bytes: json.number('bytes'),
    logEntries: json.number('logEntries'),
    logBytes: json.number('logBytes'),
    deletedItems: json.number('deletedItems'),
    deletedLength: json.number('deletedLength'),
    clients: json.number('clients'),
    versions: json.number('versions'),
    createdAtMs: json.time('createdAt'),
    updatedAtMs: json.time('updatedAt'),
  }
}
