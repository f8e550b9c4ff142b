// Saving, reading and pruning the versions of documents in the store: ids, records, the chain
// of changes they are kept as, and retention. A version reads as the whole document as one Yjs
// update (the editor compares two of them to show what changed), so the live document keeps
// garbage collection on.
import type { DocStore, VersionAuthor, VersionInfo, VersionKind } from '../../persistence/store.js'
import type { Logger } from '../logger.js'
import * as Y from 'yjs'

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

/** The newest version of a document: its id and the state vector of its content. */
interface ChainTip {
  readonly id: string
  readonly stateVector: Uint8Array
}

/**
 * The versions of a server's documents; one per server, shared by its rooms. Versions are
 * stored as a chain, oldest first: the oldest holds a whole state, each later one only what
 * changed since the one before it (`Y.diffUpdate` against that one's state vector), so a
 * history costs about what its changes do rather than a copy of the document per version
 * (bench/results/history.md). A version's content is the merge of the chain up to it.
 * Removing a version folds its changes into the next one, so the chain stays whole.
 */
export class VersionHistory {
  readonly #store: DocStore
  readonly #retention: VersionRetention
  readonly #logger: Logger
  /** The newest version per document, while it is known (dropped by `forget`). */
  readonly #tips = new Map<string, ChainTip>()

  constructor(store: DocStore, retention: VersionRetention, logger: Logger) {
    this.#store = store
    this.#retention = retention
    this.#logger = logger
  }

  /**
   * Saves `state` (the whole document as one update) as a new version, then prunes. Rejects
   * with a VersionSaveError when the store fails.
   */
  async save(room: string, request: VersionRequest, state: Uint8Array): Promise<VersionInfo> {
    try {
      return await this.#save(room, request, state)
    } catch (error) {
      throw new VersionSaveError(`could not save a version of ${JSON.stringify(room)}`, {
        cause: error,
      })
    }
  }

  /**
   * The content of version `id` as one Yjs update: the chain merged up to it. It shows what the
   * document showed then (content deleted since is kept as deleted). Null when there is none.
   */
  async read(room: string, id: string): Promise<{ info: VersionInfo; content: Uint8Array } | null> {
    const chain = (await this.#store.listVersions(room)).reverse()
    const end = chain.findIndex((version) => version.id === id)
    if (end < 0) return null
    const links = await this.#links(room, chain.slice(0, end + 1))
    return { info: chain[end]!, content: links.length === 1 ? links[0]! : Y.mergeUpdates(links) }
  }

  /**
   * Removes version `id`, folding what it changed into the next one. Resolves false when there
   * is none with `id`.
   */
  async delete(room: string, id: string): Promise<boolean> {
    const chain = (await this.#store.listVersions(room)).reverse()
    const index = chain.findIndex((version) => version.id === id)
    if (index < 0) return false
    await this.#remove(room, chain, index)
    return true
  }

  /** Forgets what it keeps of a document (it was unloaded, deleted or replaced). */
  forget(room: string): void {
    this.#tips.delete(room)
  }

  async #save(room: string, request: VersionRequest, state: Uint8Array): Promise<VersionInfo> {
    const tip = this.#tips.get(room) ?? (await this.#readTip(room))
    const content = tip ? Y.diffUpdate(state, tip.stateVector) : state
    const nowMs = Date.now()
    const info: VersionInfo = {
      id: nextVersionId(tip?.id, nowMs),
      name: request.name,
      kind: request.kind,
      createdAtMs: nowMs,
      bytes: content.length,
      authors: request.authors,
    }
    await this.#store.putVersion(room, info, content)
    this.#tips.set(room, { id: info.id, stateVector: Y.encodeStateVectorFromUpdate(state) })
    this.#logger.debug({ room, version: info.id, kind: info.kind }, 'saved a version')
    if (info.kind !== 'named') await this.#prune(room, nowMs)
    return info
  }

  // The newest version, from the store: the chain merged whole, once per load of the document.
  async #readTip(room: string): Promise<ChainTip | undefined> {
    const chain = (await this.#store.listVersions(room)).reverse()
    const newest = chain.at(-1)
    if (!newest) return undefined
    const links = await this.#links(room, chain)
    const merged = links.length === 1 ? links[0]! : Y.mergeUpdates(links)
    return { id: newest.id, stateVector: Y.encodeStateVectorFromUpdate(merged) }
  }

  async #links(room: string, versions: readonly VersionInfo[]): Promise<Uint8Array[]> {
    const links: Uint8Array[] = []
    for (const version of versions) {
      const content = await this.#store.readVersion(room, version.id)
      if (content) links.push(content)
    }
    return links
  }

  // Folds version `index` of `chain` (oldest first) into the next one, then removes it. The next
  // one is rewritten first: should the removal then fail, the chain merely holds a change twice.
  async #remove(room: string, chain: readonly VersionInfo[], index: number): Promise<void> {
    const removed = chain[index]!
    const next = chain[index + 1]
    if (next) {
      const [own, following] = await this.#links(room, [removed, next])
      if (own && following) {
        const folded = Y.mergeUpdates([own, following])
        await this.#store.putVersion(room, { ...next, bytes: folded.length }, folded)
      }
    } else {
      this.forget(room)
    }
    await this.#store.deleteVersion(room, removed.id)
  }

  async #prune(room: string, nowMs: number): Promise<void> {
    const retention = this.#retention
    let chain = (await this.#store.listVersions(room)).reverse()
    const prunable = chain.filter((version) => version.kind !== 'named')
    const expired =
      retention.kind === 'count'
        ? prunable.slice(0, Math.max(0, prunable.length - retention.maxCount))
        : prunable.filter((version) => nowMs - version.createdAtMs > retention.maxAgeMs)
    for (const version of expired) {
      await this.#remove(room, chain, chain.indexOf(version))
      chain = chain.filter((kept) => kept !== version)
    }
  }
}
