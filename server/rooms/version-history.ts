// Saving and pruning the versions of documents in the store: ids, records and retention. A
// version is the whole document as one Yjs update (the editor compares two of them to show what
// changed), so the live document keeps garbage collection on.
import type { DocStore, VersionAuthor, VersionInfo, VersionKind } from '../../persistence/store.js'
import type { Logger } from '../logger.js'

/** How long automatic and restore versions are kept; named versions are kept until deleted. */
export type VersionRetention =
  | { readonly kind: 'age'; readonly maxAgeMs: number }
  | { readonly kind: 'count'; readonly maxCount: number }

/** The default retention: 30 days. */
export const defaultVersionRetention: VersionRetention = {
  kind: 'age',
  maxAgeMs: 30 * 24 * 60 * 60 * 1000,
}

/** What a saved version records besides its content. */
export interface VersionRequest {
  readonly kind: VersionKind
  /** The name of a `named` version; null otherwise. */
  readonly name: string | null
  readonly authors: readonly VersionAuthor[]
}

/**
 * A version id: the time it was saved in Unix ms, as decimal digits, raised past the document's
 * last id when needed so that ids are unique and sort in the order versions were saved.
 */
function nextVersionId(lastId: string | undefined, nowMs: number): string {
  const last = lastId === undefined ? 0 : Number(lastId)
  return String(Number.isSafeInteger(last) && last >= nowMs ? last + 1 : nowMs)
}

/** The store could not save a version; `cause` is its error. */
export class VersionSaveError extends Error {
  override readonly name = 'VersionSaveError'
}

/** The versions of a server's documents; one per server, shared by its rooms. */
export class VersionHistory {
  readonly #store: DocStore
  readonly #retention: VersionRetention
  readonly #logger: Logger
  /** The last id saved per document, while it is known (dropped by `forget`). */
  readonly #lastIds = new Map<string, string>()

  constructor(store: DocStore, retention: VersionRetention, logger: Logger) {
    this.#store = store
    this.#retention = retention
    this.#logger = logger
  }

  /**
   * Saves `content` (the whole document as one update) as a new version, then prunes. Rejects
   * with a VersionSaveError when the store fails.
   */
  async save(room: string, request: VersionRequest, content: Uint8Array): Promise<VersionInfo> {
    try {
      return await this.#save(room, request, content)
    } catch (error) {
      throw new VersionSaveError(`could not save a version of ${JSON.stringify(room)}`, {
        cause: error,
      })
    }
  }

  async #save(room: string, request: VersionRequest, content: Uint8Array): Promise<VersionInfo> {
    let lastId = this.#lastIds.get(room)
    if (lastId === undefined) lastId = (await this.#store.listVersions(room))[0]?.id
    const nowMs = Date.now()
    const info: VersionInfo = {
      id: nextVersionId(lastId, nowMs),
      name: request.name,
      kind: request.kind,
      createdAtMs: nowMs,
      bytes: content.length,
      authors: request.authors,
    }
    await this.#store.putVersion(room, info, content)
    this.#lastIds.set(room, info.id)
    this.#logger.debug({ room, version: info.id, kind: info.kind }, 'saved a version')
    if (info.kind !== 'named') await this.#prune(room, nowMs)
    return info
  }

  /** Forgets what it keeps of a document (it was unloaded or deleted). */
  forget(room: string): void {
    this.#lastIds.delete(room)
  }

  async #prune(room: string, nowMs: number): Promise<void> {
    const retention = this.#retention
    const prunable = (await this.#store.listVersions(room)).filter(
      (version) => version.kind !== 'named',
    )
    const expired =
      retention.kind === 'count'
        ? prunable.slice(retention.maxCount)
        : prunable.filter((version) => nowMs - version.createdAtMs > retention.maxAgeMs)
    for (const version of expired) await this.#store.deleteVersion(room, version.id)
  }
}
