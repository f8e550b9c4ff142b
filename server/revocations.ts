// Revoked users: credentials issued up to a user's revocation are refused from then on. The list
// is one record in the store, so revocations outlive a restart.
import type { DocStore } from '../persistence/store.js'
import type { Principal } from './auth.js'

const recordName = 'revocations'

// Token times (`iat`) are whole seconds: a credential is refused when it was issued in the second
// of the revocation or before, so one issued in the same second after it is refused too.
const secondOf = (ms: number): number => Math.floor(ms / 1000)

/** The server's revocation list; loaded from the store on first use. */
export class Revocations {
  readonly #store: DocStore
  /** Revocation time (Unix ms) by user id. */
  readonly #revokedAtMs = new Map<string, number>()
  #loading: Promise<void> | null = null
  readonly #refreshMs: number
  #readAtMs = 0

  /** `refreshMs`: how old the list read may be before `ready` reads it again (other writers). */
  constructor(store: DocStore, refreshMs = Infinity) {
    this.#store = store
    this.#refreshMs = refreshMs
  }

  /** Resolves once the stored list has been read; rejects (and retries next time) on failure. */
  ready(): Promise<void> {
    if (this.#loading && Date.now() - this.#readAtMs > this.#refreshMs) this.#loading = null
    this.#loading ??= this.#readStored().then(
      () => undefined,
      (error: unknown) => {
        this.#loading = null
        throw error
      },
    )
    return this.#loading
  }

  /**
   * Whether the principal's credential was revoked. One without an issue time cannot be told
   * apart from an old one, so it is refused once its user was revoked. Call after `ready`.
   */
  isRevoked(principal: Principal): boolean {
    const revokedAtMs = this.#revokedAtMs.get(principal.userId)
    if (revokedAtMs === undefined) return false
    return (
      principal.issuedAtMs === undefined || secondOf(principal.issuedAtMs) <= secondOf(revokedAtMs)
    )
  }

  /** Adds a revocation another instance of a cluster stored. */
  merge(userId: string, revokedAtMs: number): void {
    this.#revokedAtMs.set(userId, Math.max(revokedAtMs, this.#revokedAtMs.get(userId) ?? 0))
  }

  /**
   * Revokes a user's credentials issued until now; resolves with the time once it is stored. The
   * stored list is read again first: in a cluster, other instances write it too.
   */
  async revoke(userId: string, nowMs = Date.now()): Promise<number> {
    await this.ready()
    await this.#readStored()
    this.merge(userId, nowMs)
    const record = JSON.stringify(Object.fromEntries(this.#revokedAtMs))
    await this.#store.writeRecord(recordName, new TextEncoder().encode(record))
    return nowMs
  }

  async #readStored(): Promise<void> {
    const readAtMs = Date.now()
    const record = await this.#store.readRecord(recordName)
    this.#readAtMs = readAtMs
    if (!record) return
    const stored = JSON.parse(new TextDecoder().decode(record)) as Record<string, number>
    for (const [userId, atMs] of Object.entries(stored)) this.merge(userId, atMs)
  }
}
