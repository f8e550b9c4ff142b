// Who changed a document since its last version, as the server saw it: the Yjs client ids each
// connection's updates carry, bound to that connection's user. Clients cannot claim authorship
// for others, and nothing of it is written into the document.
import type { VersionAuthor } from '../../persistence/store.js'
import type { ClientRange } from '../../protocol/update-shape.js'
import { type Principal, anonymousUserId } from '../auth.js'
import type { Origin } from '../events.js'

interface AuthorEntry {
  userId: string | null
  name: string | null
  isVerified: boolean
  readonly clientIds: Set<number>
}

/** The author the server itself is, for changes with no principal (the CLI, a restore by it). */
const serverAuthorName = 'server'

/**
 * The authors of one open document since its last version. A connection's author is its
 * authenticated user; without authentication, the name its client announces in its awareness,
 * marked unverified. Each author lists every client id it wrote with: a connection that writes
 * under another's client id is listed with it too, never hidden behind that other author.
 */
export class Authorship {
  /** Each connection's author, by connection id (authenticated ones share their user's). */
  readonly #byConnection = new Map<number, AuthorEntry>()
  readonly #byUser = new Map<string, AuthorEntry>()
  readonly #authors = new Set<AuthorEntry>()

  /** Whether anyone changed the document since the last `take`. */
  get hasAuthors(): boolean {
    return this.#authors.size > 0
  }

  /**
   * Records that a change of `origin` carried content of the clients of `ranges` (its shape;
   * none for a change that only deletes). `announcedName` is asked only while an
   * unauthenticated connection's name is still unknown.
   */
  record(origin: Origin, ranges: readonly ClientRange[], announcedName: () => string | null): void {
    const author = this.#authorFor(origin, announcedName)
    if (!author) return
    this.#authors.add(author)
    for (const { client } of ranges) author.clientIds.add(client)
  }

  /** The authors recorded since the last call, merged by user (or by name), and forgets them. */
  take(): VersionAuthor[] {
    const merged = new Map<string, AuthorEntry>()
    for (const author of this.#authors) {
      const key = author.isVerified ? `user:${author.userId ?? ''}` : `name:${author.name ?? ''}`
      const entry = merged.get(key)
      if (entry) for (const clientId of author.clientIds) entry.clientIds.add(clientId)
      else merged.set(key, { ...author, clientIds: new Set(author.clientIds) })
    }
    this.#byConnection.clear()
    this.#byUser.clear()
    this.#authors.clear()
    return [...merged.values()].map((author) => ({ ...author, clientIds: [...author.clientIds] }))
  }

  /** Puts back what `take` returned, when the version it was for could not be saved. */
  restore(authors: readonly VersionAuthor[]): void {
    for (const author of authors) {
      this.#authors.add({ ...author, clientIds: new Set(author.clientIds) })
    }
  }

  // A connection's author is looked up once per version by its id; the first change of each
  // connection finds or makes the entry of its user.
  #authorFor(origin: Origin, announcedName: () => string | null): AuthorEntry | undefined {
    if (origin.kind === 'store' || origin.kind === 'bus') return undefined
    if (origin.kind === 'api') return this.#userEntry(origin.principal)
    let entry = this.#byConnection.get(origin.connectionId)
    if (!entry) {
      entry =
        origin.principal.userId === anonymousUserId
          ? { userId: null, name: null, isVerified: false, clientIds: new Set() }
          : this.#userEntry(origin.principal)
      this.#byConnection.set(origin.connectionId, entry)
    }
    if (!entry.isVerified) entry.name ??= announcedName()
    return entry
  }

  // Keyed by user id; '' is the server itself, and 0 an API caller without authentication.
  #userEntry(principal: Principal | null): AuthorEntry {
    const isAuthenticated = principal !== null && principal.userId !== anonymousUserId
    const key = isAuthenticated ? `u${principal.userId}` : principal === null ? '' : '0'
    let entry = this.#byUser.get(key)
    if (!entry) {
      const who = isAuthenticated
        ? { userId: principal.userId, name: principal.name ?? null, isVerified: true }
        : principal === null
          ? { userId: null, name: serverAuthorName, isVerified: true }
          : { userId: null, name: null, isVerified: false }
      entry = { ...who, clientIds: new Set() }
      this.#byUser.set(key, entry)
    }
    return entry
  }
}
