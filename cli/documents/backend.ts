// The one seam the document commands go through: a stopped server's data directory
// (local-backend.ts) or a running server's HTTP API (http-backend.ts). Each command is written
// once, against this; backend-flags.ts picks the implementation.
import type { DocumentQuery, VersionInfo } from '../../persistence/store.js'
import type {
  DocumentBackup,
  DocumentEntryPage,
  DocumentInspection,
  RestoreResult,
} from '../../server/index.js'

/** The content formats the commands read and write: the editor's, and Yjs updates. */
export const contentFormats = ['json', 'html', 'markdown', 'text', 'yjs'] as const
export type ContentFormat = (typeof contentFormats)[number]

/** What a restored backup held. */
export interface RestoredBackup {
  readonly documents: number
  readonly versions: number
}

/**
 * The documents of one server, stopped or running. Methods that name a document reject with a
 * CommandError (cli/documents/command-error.ts) saying so when it does not exist; the caller
 * closes the backend once, when done.
 */
export interface DocumentBackend {
  /** One page of the stored documents. */
  list(query: DocumentQuery): Promise<DocumentEntryPage>
  /**
   * The document's content in `format` (UTF-8 text, or a Yjs v1 update for `yjs`), as it is now
   * or as version `versionId` holds it.
   */
  exportContent(name: string, format: ContentFormat, versionId: string | null): Promise<Uint8Array>
  /**
   * Makes `body` read as `format` the document's content (`yjs`: merges the update in), creating
   * the document when it does not exist; resolves with whether it did.
   */
  importContent(
    name: string,
    format: ContentFormat,
    body: Uint8Array,
  ): Promise<{ created: boolean }>
  /** Its versions, newest first. */
  versions(name: string): Promise<VersionInfo[]>
  /** Makes its content that of version `versionId`, saving the state before as a version. */
  restore(name: string, versionId: string): Promise<RestoreResult>
  inspect(name: string): Promise<DocumentInspection>
  /** Folds its update log into one state. */
  compact(name: string): Promise<void>
  /** Every document with its versions, one at a time, each consistent in itself. */
  backup(): AsyncIterable<DocumentBackup>
  /**
   * Replaces each document of `documents` by its backup, versions included; documents the
   * backup does not hold stay as they are. `only`: the backup is that one document's (the
   * server checks it). `force`: the caller has been told that the store holds documents.
   */
  restoreBackup(
    documents: AsyncIterable<DocumentBackup>,
    options: { readonly only: string | null; readonly force: boolean },
  ): Promise<RestoredBackup>
  /** Lets the store or server go. */
  close(): Promise<void>
}
