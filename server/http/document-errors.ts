// What the document API answers when a document operation throws: one mapping from the errors
// of the service, the formats and the write path to the refusal table (replies.ts).
import { CollabError, type CollabErrorCode } from '../../protocol/collab-error.js'
import { FormatError } from '../documents/document-formats.js'
import { DocumentNotFoundError, VersionNotFoundError } from '../documents/documents.js'
import { ClusterUnavailableError } from '../cluster.js'
import { OwnedElsewhereError } from '../rooms/room-registry.js'
import { VersionSaveError } from '../rooms/version-history.js'
import type { Logger } from '../logger.js'
import { HttpRefusal, type RefusalKind, refusalResponse } from './replies.js'

const writeRefusals: Partial<Record<CollabErrorCode, RefusalKind>> = {
  COLLAB_BAD_PAYLOAD: HttpRefusal.badContent,
  COLLAB_DOCUMENT_TOO_LARGE: HttpRefusal.documentTooLarge,
  COLLAB_DOCUMENT_UNAVAILABLE: HttpRefusal.documentUnavailable,
}

/** What the mapping needs to know of the server. */
export interface ErrorMappingContext {
  readonly isStoreFailing: () => boolean
  readonly logger: Logger
}

/** The refusal for an error a document operation threw. */
export function refusalOfError(error: unknown, context: ErrorMappingContext): Response {
  if (error instanceof DocumentNotFoundError) {
    return refusalResponse(HttpRefusal.documentNotFound, error.message)
  }
  if (error instanceof VersionNotFoundError) {
    return refusalResponse(HttpRefusal.versionNotFound, error.message)
  }
  if (error instanceof FormatError) return refusalResponse(HttpRefusal.badContent, error.message)
  // In a cluster, a document open on another instance is changed only there; reads work anywhere.
  if (error instanceof OwnedElsewhereError) {
    return refusalResponse(
      HttpRefusal.openElsewhere,
      `the document is open on instance ${error.owner}, which alone changes it; send the request there, or retry once it has closed`,
    )
  }
  if (error instanceof ClusterUnavailableError) {
    return refusalResponse(
      HttpRefusal.clusterUnavailable,
      'the cluster bus cannot be reached, and the document is not open here; try again later',
    )
  }
  // The write path's refusals of an update (room.ts): malformed, refused structure, too large.
  const refusal = error instanceof CollabError ? writeRefusals[error.code] : undefined
  if (refusal && error instanceof Error) return refusalResponse(refusal, error.message)
  if (context.isStoreFailing() || error instanceof VersionSaveError) {
    return refusalResponse(
      HttpRefusal.storeUnavailable,
      'the server cannot store documents right now; try again later',
    )
  }
  context.logger.error({ err: error }, 'a document API request failed')
  return refusalResponse(HttpRefusal.internal, 'internal server error')
}
