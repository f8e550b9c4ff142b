// The document commands on a stopped server's data directory: its LevelDB store and a server that
// never listens, whose `documents` do the work, as they do for the HTTP API of a running one.
import { stat } from 'node:fs/promises'
import * as Y from 'yjs'
import { editorFormats } from '../../content/editor-formats.js'
import { StoreInUseError, openLevelDbStore } from '../../persistence/leveldb/store.js'
import type { DocStore, DocumentQuery, VersionInfo } from '../../persistence/store.js'
import {
  type CollabDocuments,
  type CollabServer,
  type DocumentBackup,
  type DocumentEntryPage,
  type DocumentInspection,
  DocumentNotFoundError,
  FormatError,
  type RestoreResult,
  VersionNotFoundError,
  createCollabServer,
} from '../../server/index.js'
import { createLogger } from '../../server/logger.js'
import type { ContentFormat, DocumentBackend, RestoredBackup } from './backend.js'
import { CommandError, exitCodes } from './command-error.js'

/** Options of `openLocalBackend`. */
export interface LocalBackendOptions {
  readonly directory: string
  /** Create the directory when missing (import, restore-backup); otherwise that is an error. */
  readonly mayCreate: boolean
}

/** Documents per page when a command goes through all of them. */
const pageSize = 100

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (stats) => stats.isDirectory(),
    () => false,
  )
}

async function openStore(
  directory: string,
  onProblem: (message: string) => void,
): Promise<DocStore> {
  try {
    return await openLevelDbStore({ directory, onProblem })
  } catch (error) {
    if (error instanceof StoreInUseError) {
      throw new CommandError(
        `the data directory ${directory} is in use by a running server: stop it, or reach it ` +
          'with --url http://HOST:PORT',
        exitCodes.usage,
      )
    }
    throw new CommandError(`${(error as Error).message} (--data / DATA_DIR)`, exitCodes.usage)
  }
}

/**
 * Opens the data directory's store, which LevelDB lets one process hold at a time: rejects with
 * a CommandError (exit 2) when a running server holds it. Logs go to stderr, warnings and worse.
 */
export async function openLocalBackend(options: LocalBackendOptions): Promise<DocumentBackend> {
  const { directory } = options
  if (!options.mayCreate && !(await isDirectory(directory))) {
    throw new CommandError(
      `there is no data directory ${directory}; give the server's with --data / DATA_DIR, or ` +
        'reach a running server with --url',
      exitCodes.usage,
    )
  }
  const logger = createLogger('warn', process.stderr)
  const store = await openStore(directory, (message) => logger.warn(message))
  const server = createCollabServer({ store, logger, formats: editorFormats })
  return new LocalBackend(server, store)
}

/** Errors the documents reject with for what the operator asked, as one-line failures. */
function asCommandError(error: unknown): unknown {
  const isExpected =
    error instanceof DocumentNotFoundError ||
    error instanceof VersionNotFoundError ||
    error instanceof FormatError
  return isExpected ? new CommandError(error.message) : error
}

class LocalBackend implements DocumentBackend {
  readonly #server: CollabServer
  readonly #store: DocStore
  readonly #documents: CollabDocuments

  constructor(server: CollabServer, store: DocStore) {
    this.#server = server
    this.#store = store
    this.#documents = server.documents
  }

  list(query: DocumentQuery): Promise<DocumentEntryPage> {
    return this.#documents.list(query)
  }

  exportContent(
    name: string,
    format: ContentFormat,
    versionId: string | null,
  ): Promise<Uint8Array> {
    return this.#call(async () => {
      if (versionId !== null) {
        const { content } = await this.#documents.version(name, versionId)
        if (format === 'yjs') return content
        const doc = new Y.Doc()
        try {
          Y.applyUpdate(doc, content)
          return this.#render(doc, format)
        } finally {
          doc.destroy()
        }
      }
      if (format === 'yjs') return this.#documents.state(name)
      return this.#documents.read(name, (doc) => this.#render(doc, format))
    })
  }

  importContent(
    name: string,
    format: ContentFormat,
    body: Uint8Array,
  ): Promise<{ created: boolean }> {
    return this.#call(async () => {
      if (format === 'yjs') return this.#documents.merge(name, body, null)
      this.#checkFormat(format)
      const source = editorFormats.parse(format, Buffer.from(body).toString('utf8'))
      try {
        return await this.#documents.replace(name, source, null)
      } finally {
        source.destroy()
      }
    })
  }

  versions(name: string): Promise<VersionInfo[]> {
    return this.#call(() => this.#documents.versions(name))
  }

  restore(name: string, versionId: string): Promise<RestoreResult> {
    return this.#call(() => this.#documents.restore(name, versionId, null))
  }

  inspect(name: string): Promise<DocumentInspection> {
    return this.#call(() => this.#documents.inspect(name))
  }

  compact(name: string): Promise<void> {
    return this.#call(() => this.#documents.compact(name))
  }

  async *backup(): AsyncGenerator<DocumentBackup> {
    let after: string | null = null
    do {
      const page: DocumentEntryPage = await this.#documents.list({
        prefix: '',
        limit: pageSize,
        after,
      })
      for (const { name } of page.documents) {
        // One deleted since it was listed is not part of the backup.
        const backup = await this.#documents.exportBackup(name).catch((error: unknown) => {
          if (error instanceof DocumentNotFoundError) return null
          throw error
        })
        if (backup) yield backup
      }
      after = page.next
    } while (after !== null)
  }

  async restoreBackup(documents: AsyncIterable<DocumentBackup>): Promise<RestoredBackup> {
    let restored = 0
    let versions = 0
    for await (const backup of documents) {
      await this.#documents.importBackup(backup)
      restored += 1
      versions += backup.versions.length
    }
    return { documents: restored, versions }
  }

  async close(): Promise<void> {
    await this.#server.close()
    await this.#store.close()
  }

  #checkFormat(format: ContentFormat): void {
    if (!editorFormats.names.includes(format)) {
      throw new CommandError(`this server does not know the format ${format}`)
    }
  }

  #render(doc: Y.Doc, format: ContentFormat): Uint8Array {
    this.#checkFormat(format)
    return Buffer.from(editorFormats.render(doc, format).body, 'utf8')
  }

  async #call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation()
    } catch (error) {
      throw asCommandError(error)
    }
  }
}
