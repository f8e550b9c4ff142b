// A saved version of a document as the HTTP API lists it (GET /api/documents/{name}/versions),
// checked on arrival, and how the history panel names versions and their authors.

/** `auto`: saved by the server after a while of changes; `named`: on request; `restore`: the
 * state just before a restore. */
export type VersionKind = 'auto' | 'named' | 'restore'

/** Someone who changed the document between the version before and this one. */
export interface VersionAuthor {
  /** The authenticated user id; null when authentication is off. */
  readonly userId: string | null
  readonly name: string | null
  /** False when the name is the one the client announced, without authentication. */
  readonly isVerified: boolean
  /** The Yjs client ids whose content this author wrote. */
  readonly clientIds: readonly number[]
}

/** One saved version, without its content. */
export interface Version {
  readonly id: string
  /** The name given with "Name this version"; null for the other kinds. */
  readonly name: string | null
  readonly kind: VersionKind
  readonly createdAt: Date
  readonly authors: readonly VersionAuthor[]
}

const kinds: readonly string[] = ['auto', 'named', 'restore'] satisfies VersionKind[]

function fail(what: string): never {
  throw new TypeError(`the server sent a malformed version list: ${what}`)
}

function readNullableString(value: unknown, what: string): string | null {
  if (value === null || typeof value === 'string') return value
  return fail(what)
}

function readAuthor(value: unknown): VersionAuthor {
  if (typeof value !== 'object' || value === null) return fail('an author that is not an object')
  const author = value as Record<string, unknown>
  const { clientIds } = author
  if (typeof author.verified !== 'boolean') return fail('an author without `verified`')
  if (!Array.isArray(clientIds) || !clientIds.every((id) => Number.isInteger(id)))
    return fail('an author without `clientIds`')
  return {
    userId: readNullableString(author.userId, 'a bad author `userId`'),
    name: readNullableString(author.name, 'a bad author `name`'),
    isVerified: author.verified,
    clientIds: clientIds as number[],
  }
}

/** Checks one version entry (as the reply to naming a version); throws TypeError if it is not. */
export function readVersion(value: unknown): Version {
  if (typeof value !== 'object' || value === null) return fail('a version that is not an object')
  const version = value as Record<string, unknown>
  const { id, kind, createdAt, authors } = version
  if (typeof id !== 'string' || id === '') return fail('a version without an `id`')
  if (typeof kind !== 'string' || !kinds.includes(kind)) return fail('an unknown `kind`')
  const created = new Date(typeof createdAt === 'string' ? createdAt : Number.NaN)
  if (Number.isNaN(created.getTime())) return fail('a bad `createdAt`')
  if (!Array.isArray(authors)) return fail('a version without `authors`')
  return {
    id,
    name: readNullableString(version.name ?? null, 'a bad `name`'),
    kind: kind as VersionKind,
    createdAt: created,
    authors: authors.map(readAuthor),
  }
}

/** Checks the body of a version list reply; throws TypeError when it is not one. */
export function readVersionList(body: unknown): Version[] {
  const versions = (body as { versions?: unknown } | null)?.versions
  if (!Array.isArray(versions)) return fail('no `versions` array')
  return versions.map(readVersion)
}

const kindTitles: Record<VersionKind, string> = {
  auto: 'Automatic version',
  named: 'Named version',
  restore: 'Before a restore',
}

/** What the panel calls a version: its name, else what kind of version it is. */
export function versionTitle(version: Version): string {
  return version.name ?? kindTitles[version.kind]
}

/** How an author is named: their name, else their user id, else "Anonymous". */
export function authorName(author: VersionAuthor): string {
  return author.name ?? author.userId ?? 'Anonymous'
}

/** An author's name, marked "(unverified)" when it is only what their client announced. */
export function authorLabel(author: VersionAuthor): string {
  return author.isVerified ? authorName(author) : `${authorName(author)} (unverified)`
}
