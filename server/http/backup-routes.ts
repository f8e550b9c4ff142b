// Backups over HTTP, for admins: the whole store as one backup file (docs/backup-format.md),
// streamed document by document, and a backup file restored into the store, whole or one
// document of it.
import { type OpenAPIHono, createRoute } from '@hono/zod-openapi'
import { BackupFormatError, encodeBackup, readBackup } from '../documents/backup-format.js'
import {
  type CollabDocuments,
  type DocumentBackup,
  DocumentNotFoundError,
} from '../documents/documents.js'
import type { Logger } from '../logger.js'
import type { ApiAccess } from './api-access.js'
import type { AppEnv } from './app-env.js'
import { refusalOfError } from './document-errors.js'
import { BackupRestoredSchema, RestoreBackupQuery, errors, json } from './document-schemas.js'
import { HttpRefusal, refusalResponse } from './replies.js'

/** What the backup routes work with; owned by the server. */
export interface BackupApiContext {
  readonly documents: CollabDocuments
  readonly allow: ApiAccess
  readonly isStoreFailing: () => boolean
  readonly logger: Logger
}

const pageSize = 100

/** Every document's backup, in name order; one deleted meanwhile is left out. */
async function* everyDocument(documents: CollabDocuments): AsyncGenerator<DocumentBackup> {
  let after: string | null = null
  do {
    const page = await documents.list({ prefix: '', limit: pageSize, after })
    for (const { name } of page.documents) {
      try {
        yield await documents.exportBackup(name)
      } catch (error) {
        if (!(error instanceof DocumentNotFoundError)) throw error
      }
    }
    after = page.next
  } while (after !== null)
}

/** A stream of `chunks`; a failure ends it early, which the reader sees as a truncated file. */
function streamOf(chunks: AsyncGenerator<Uint8Array>, logger: Logger): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(controller) {
      try {
        const next: IteratorResult<Uint8Array> = await chunks.next()
        if (next.done === true) controller.close()
        else controller.enqueue(next.value)
      } catch (error) {
        logger.error({ err: error }, 'a backup failed while it was sent; the file is incomplete')
        controller.error(error)
      }
    },
    async cancel() {
      await chunks.return(undefined)
    },
  })
}

/** Adds the backup routes under /admin to the API router. */
export function addBackupRoutes(routes: OpenAPIHono<AppEnv>, context: BackupApiContext): void {
  const { documents } = context

  routes.openapi(
    createRoute({
      method: 'get',
      path: '/admin/backup',
      summary: 'Back up every document with its versions (one file)',
      description:
        'Consistent per document: each is read at one moment while clients go on editing. The format is in docs/backup-format.md.',
      responses: {
        200: { description: 'The backup file (application/octet-stream)' },
        ...errors(401, 403),
      },
    }),
    async (c) => {
      const principal = await context.allow(c, 'admin')
      if (principal instanceof Response) return principal
      const stamp = new Date().toISOString().replace(/[:.]/g, '-')
      return new Response(streamOf(encodeBackup(everyDocument(documents)), context.logger), {
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Disposition': `attachment; filename="collab-backup-${stamp}.collabbk"`,
          'Cache-Control': 'no-store',
        },
      })
    },
  )

  routes.openapi(
    createRoute({
      method: 'post',
      path: '/admin/restore-backup',
      summary: 'Restore a backup file (the body), whole or one document of it',
      description:
        'With `doc`, replaces that document, versions included, and leaves the others alone. Without, restores every document, and refuses a store that holds documents unless `force=true`. Documents restored before a damaged record stay restored.',
      request: { query: RestoreBackupQuery },
      responses: {
        200: json(BackupRestoredSchema, 'Restored'),
        ...errors(400, 401, 403, 404, 409, 503),
      },
    }),
    async (c) => {
      const principal = await context.allow(c, 'admin')
      if (principal instanceof Response) return principal
      const { doc, force } = c.req.valid('query')
      const body = c.req.raw.body
      if (!body) return refusalResponse(HttpRefusal.badBackup, 'the body must be a backup file')
      let restored = { documents: 0, versions: 0 }
      try {
        if (doc === undefined && force !== 'true') {
          const { documents: existing } = await documents.list({
            prefix: '',
            limit: 1,
            after: null,
          })
          if (existing.length > 0) {
            return refusalResponse(
              HttpRefusal.storeNotEmpty,
              'the store holds documents; restore one with doc=NAME, or all with force=true',
            )
          }
        }
        for await (const backup of readBackup(body as AsyncIterable<Uint8Array>)) {
          if (doc !== undefined && backup.name !== doc) continue
          await documents.importBackup(backup)
          restored = {
            documents: restored.documents + 1,
            versions: restored.versions + backup.versions.length,
          }
        }
      } catch (error) {
        if (!(error instanceof BackupFormatError)) return refusalOfError(error, context)
        const done =
          restored.documents > 0 ? ` (${restored.documents} document(s) restored before it)` : ''
        return refusalResponse(HttpRefusal.badBackup, `${error.message}${done}`)
      }
      if (doc !== undefined && restored.documents === 0) {
        return refusalResponse(
          HttpRefusal.documentNotFound,
          `the backup holds no document named ${JSON.stringify(doc)}`,
        )
      }
      context.logger.info(restored, 'restored a backup')
      return c.json(restored, 200)
    },
  )
}
