// The documents of one server outside the WebSocket path (documents.ts): every change goes
// through the room's write path, one server-side operation per document at a time.
import * as Y from 'yjs'
import { CloseCode } from '../../protocol/close-codes.js'
import { CollabError } from '../../protocol/collab-error.js'
import type {
  DocStore,
  DocumentInfo,
  DocumentQuery,
  StoredDoc,
  VersionInfo,
} from '../../persistence/store.js'
import type { Observers, Origin } from '../events.js'
import { Room } from '../rooms/room.js'
import type { RoomRegistry } from '../rooms/room-registry.js'
import type { VersionHistory } from '../rooms/version-history.js'
import {
  type Actor,
  type CollabDocuments,
  type DocumentBackup,
  type DocumentChange,
  type DocumentEntry,
  type DocumentEntryPage,
  type DocumentInspection,
  DocumentNotFoundError,
  type RestoreResult,
  type VersionContent,
  VersionNotFoundError,
  type ContentWrite,
  type WriteOptions,
} from './documents.js'
import { isEmptyDocument, replaceContent } from './replace-content.js'

const apiOrigin = (actor: Actor): Origin => ({ kind: 'api', principal: actor })

const deleted = (): CollabError =>
  new CollabError('COLLAB_DOCUMENT_DELETED', CloseCode.documentDeleted, 'document deleted')

const replaced = (): CollabError =>
  new CollabError(
    'COLLAB_DOCUMENT_DELETED',
    CloseCode.documentDeleted,
    'document replaced from a backup; open it again',
  )

/** The whole stored document as one update, merged without building a Y.Doc. */
function mergedState(stored: StoredDoc): Uint8Array {
  const parts = stored.compacted ? [stored.compacted.update, ...stored.log] : stored.log
  if (parts.length === 0) return Y.encodeStateAsUpdate(new Y.Doc())
  return parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts)
}

/** A Y.Doc holding `update`; the caller destroys it. */
function docOf(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc
}

/** Deleted items a document still holds, and their length (what garbage collection left). */
function deletedContent(doc: Y.Doc): { items: number; length: number } {
  let items = 0
  let length = 0
  for (const structs of doc.store.clients.values()) {
    for (const struct of structs) {
      if (!struct.deleted) continue
      items++
      length += struct.length
    }
  }
  return { items, length }
}

/** What the service works with; owned by the server. */
export interface DocumentServiceContext {
  readonly store: DocStore
  readonly registry: RoomRegistry
  readonly history: VersionHistory
  readonly observers: Observers
}

/** The server's CollabDocuments. */
export class DocumentService implements CollabDocuments {
  readonly #store: DocStore
  readonly #registry: RoomRegistry
  readonly #history: VersionHistory
  readonly #observers: Observers
  /** The last operation queued per document; each waits for the one before it. */
  readonly #queues = new Map<string, Promise<unknown>>()

  constructor(context: DocumentServiceContext) {
    this.#store = context.store
    this.#registry = context.registry
    this.#history = context.history
    this.#observers = context.observers
  }

  async list(query: DocumentQuery): Promise<DocumentEntryPage> {
    const page = await this.#store.listDocuments(query)
    return {
      documents: page.documents.map((info) => ({
        ...info,
        connections: this.#registry.connectionCount(info.name),
      })),
      next: page.next,
    }
  }

  async entry(name: string): Promise<DocumentEntry | null> {
    const info = await this.#store.documentInfo(name)
    return info && { ...info, connections: this.#registry.connectionCount(name) }
  }

  read<T>(name: string, read: (doc: Y.Doc) => T): Promise<T> {
    return this.#existing(name, () =>
      this.#registry.withStored(name, (source) => {
        if (source instanceof Room) return source.document.read(read)
        const doc = docOf(mergedState(source))
        try {
          return read(doc)
        } finally {
          doc.destroy()
        }
      }),
    )
  }

  state(name: string): Promise<Uint8Array> {
    return this.#existing(name, () =>
      this.#registry.withStored(name, (source) =>
        source instanceof Room ? source.encodedState().update : mergedState(source),
      ),
    )
  }

  withDocument<T>(
    name: string,
    actor: Actor,
    change: (doc: Y.Doc) => T,
  ): Promise<DocumentChange<T>> {
    return this.#serially(name, async () => {
      const created = (await this.#store.documentInfo(name)) === null
      const result = await this.#registry.withRoom(name, (room) =>
        this.#change(room, actor, change),
      )
      return { result, created }
    })
  }

  merge(
    name: string,
    update: Uint8Array,
    actor: Actor,
    options: WriteOptions = {},
  ): Promise<ContentWrite> {
    return this.#conditionally(name, options, (room) => room.writeUpdate(update, apiOrigin(actor)))
  }

  replace(
    name: string,
    source: Y.Doc,
    actor: Actor,
    options: WriteOptions = {},
  ): Promise<ContentWrite> {
    return this.#conditionally(name, options, (room) =>
      this.#change(room, actor, (doc) => replaceContent(doc, source, null)),
    )
  }

  delete(name: string, actor: Actor): Promise<void> {
    return this.#existing(name, async () => {
      await this.#registry.withClosed(name, deleted(), () => this.#store.deleteDocument(name))
      this.#history.forget(name)
      this.#observers.notify('deleted', name, apiOrigin(actor))
    })
  }

  versions(name: string): Promise<VersionInfo[]> {
    return this.#existing(name, () => this.#store.listVersions(name))
  }

  saveVersion(name: string, versionName: string): Promise<VersionInfo> {
    return this.#existing(name, () =>
      this.#registry.withRoom(name, (room) => room.saveVersion('named', versionName)),
    )
  }

  version(name: string, id: string): Promise<VersionContent> {
    return this.#existing(name, () => this.#version(name, id))
  }

  deleteVersion(name: string, id: string): Promise<void> {
    return this.#existing(name, async () => {
      if (!(await this.#history.delete(name, id))) throw new VersionNotFoundError(name, id)
    })
  }

  readVersion<T>(name: string, id: string, read: (doc: Y.Doc) => T): Promise<T> {
    return this.#existing(name, async () => {
      const doc = docOf((await this.#version(name, id)).content)
      try {
        return read(doc)
      } finally {
        doc.destroy()
      }
    })
  }

  restore(name: string, id: string, actor: Actor): Promise<RestoreResult> {
    return this.#existing(name, async () => {
      const { content } = await this.#version(name, id)
      return this.#registry.withRoom(name, async (room) => {
        const before = await room.saveVersion('restore', null)
        const old = docOf(content)
        try {
          await this.#change(room, actor, (doc) => replaceContent(doc, old, null))
        } finally {
          old.destroy()
        }
        return { restored: id, before: before.id }
      })
    })
  }

  compact(name: string): Promise<void> {
    return this.#existing(name, () => this.#registry.withRoom(name, (room) => room.compactAll()))
  }

  inspect(name: string): Promise<DocumentInspection> {
    return this.#existing(name, async (info) => {
      const versions = await this.#store.listVersions(name)
      return this.#registry.withRoom(name, (room) => {
        const state = room.encodedState()
        const { deleted: deletedItems, clients } = room.document.read((doc) => ({
          deleted: deletedContent(doc),
          clients: doc.store.clients.size,
        }))
        return {
          name,
          bytes: state.update.length,
          logEntries: room.log.entries,
          logBytes: room.log.bytes,
          deletedItems: deletedItems.items,
          deletedLength: deletedItems.length,
          clients,
          versions: versions.length,
          createdAtMs: info.createdAtMs,
          updatedAtMs: info.updatedAtMs,
        }
      })
    })
  }

  exportBackup(name: string): Promise<DocumentBackup> {
    return this.#existing(name, async (info) => {
      const state = await this.#registry.withStored(name, (source) => {
        if (source instanceof Room) return source.encodedState()
        const update = mergedState(source)
        return { update, stateVector: Y.encodeStateVectorFromUpdate(update) }
      })
      const versions: VersionContent[] = []
      for (const version of await this.#store.listVersions(name)) {
        const content = await this.#store.readVersion(name, version.id)
        if (content) versions.push({ info: version, content })
      }
      return {
        name,
        createdAtMs: info.createdAtMs,
        updatedAtMs: info.updatedAtMs,
        state,
        versions,
      }
    })
  }

  importBackup(backup: DocumentBackup): Promise<void> {
    const { name } = backup
    return this.#serially(name, () =>
      this.#registry.withClosed(name, replaced(), async () => {
        await this.#store.deleteDocument(name)
        await this.#store.importDocument(name, backup)
        for (const { info, content } of backup.versions) {
          await this.#store.putVersion(name, info, content)
        }
        this.#history.forget(name)
      }),
    )
  }

  // Applies `change` to a copy of the room's document and writes what it changed, as one update,
  // through the room's write path.
  async #change<T>(room: Room, actor: Actor, change: (doc: Y.Doc) => T): Promise<T> {
    const copy = docOf(room.encodedState().update)
    const updates: Uint8Array[] = []
    copy.on('update', (update: Uint8Array) => updates.push(update))
    try {
      let result!: T
      copy.transact(() => {
        result = change(copy)
      })
      if (updates.length > 0) {
        const update = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates)
        await room.writeUpdate(update, apiOrigin(actor))
      }
      return result
    } finally {
      copy.destroy()
    }
  }

  #conditionally(
    name: string,
    options: WriteOptions,
    write: (room: Room) => Promise<void>,
  ): Promise<ContentWrite> {
    return this.#serially(name, async () => {
      const created = (await this.#store.documentInfo(name)) === null
      const written = await this.#registry.withRoom(name, async (room) => {
        if (options.onlyIfEmpty && !room.document.read(isEmptyDocument)) return false
        await write(room)
        // Content that changes nothing still creates the document it names (an empty one).
        if (created && room.log.entries === 0) await room.compactAll(true)
        return true
      })
      return { written, created }
    })
  }

  async #version(name: string, id: string): Promise<VersionContent> {
    const version = await this.#history.read(name, id)
    if (!version) throw new VersionNotFoundError(name, id)
    return version
  }

  // An operation on a document that must exist: rejects with DocumentNotFoundError otherwise.
  #existing<T>(name: string, operation: (info: DocumentInfo) => Promise<T>): Promise<T> {
    return this.#serially(name, async () => {
      const info = await this.#store.documentInfo(name)
      if (info === null) throw new DocumentNotFoundError(name)
      return operation(info)
    })
  }

  #serially<T>(name: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(name) ?? Promise.resolve()
    const next = previous.then(operation, operation)
    const settled = next.catch(() => undefined)
    this.#queues.set(name, settled)
    void settled.then(() => {
      if (this.#queues.get(name) === settled) this.#queues.delete(name)
    })
    return next
  }
}
