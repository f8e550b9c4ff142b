// The document API's request and response schemas (zod): the routes validate with them, and the
// OpenAPI document at /api/openapi.json is generated from them.
import { z } from '@hono/zod-openapi'

/** A time (Unix ms) as the API writes times: ISO 8601. */
export const iso = (ms: number): string => new Date(ms).toISOString()

/** Every refusal: a `COLLAB_…` code and a reason for a person. */
export const ErrorSchema = z
  .object({
    error: z.string().openapi({ example: 'COLLAB_DOCUMENT_NOT_FOUND' }),
    reason: z.string().openapi({ example: 'no document named "notes"' }),
  })
  .openapi('Error')

/** The path parameter naming a document: one percent-encoded segment (`/` is `%2F`). */
export const DocumentParams = z.object({
  name: z.string().openapi({
    param: { name: 'name', in: 'path' },
    description: 'The document name, percent-encoded as one path segment (a `/` is `%2F`)',
    example: 'team%2Fnotes',
  }),
})

export const VersionParams = DocumentParams.extend({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' }, example: '1764608400123' }),
})

export const DocumentEntrySchema = z
  .object({
    name: z.string(),
    bytes: z.number().int().openapi({ description: 'Stored bytes: compacted state and log' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
    connections: z.number().int().openapi({ description: 'WebSocket connections open now' }),
  })
  .openapi('DocumentEntry')

export const DocumentListQuery = z.object({
  prefix: z.string().max(255).optional().openapi({ description: 'Only names starting with this' }),
  limit: z.coerce.number().int().min(1).max(1000).optional().openapi({ example: 100 }),
  cursor: z.string().max(255).optional().openapi({ description: 'The `next` of the last page' }),
})

export const DocumentListSchema = z
  .object({ documents: z.array(DocumentEntrySchema), next: z.string().nullable() })
  .openapi('DocumentList')

export const FormatQuery = z.object({
  format: z.string().optional().openapi({
    description:
      'json (ProseMirror JSON, the default), html, markdown, text, or yjs (a Yjs v1 update)',
    example: 'markdown',
  }),
})

export const ContentWrittenSchema = z
  .object({ name: z.string(), created: z.boolean() })
  .openapi('ContentWritten')

export const AuthorSchema = z
  .object({
    userId: z.string().nullable().openapi({ description: 'The authenticated user; null without' }),
    name: z.string().nullable(),
    verified: z
      .boolean()
      .openapi({ description: 'False when the name came from the client, unauthenticated' }),
    clientIds: z.array(z.number().int()).openapi({ description: 'Yjs client ids it wrote with' }),
  })
  .openapi('Author')

export const VersionSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    kind: z.enum(['auto', 'named', 'restore']),
    createdAt: z.string().openapi({ format: 'date-time' }),
    authors: z
      .array(AuthorSchema)
      .openapi({ description: 'Who changed it since the version before' }),
    bytes: z.number().int(),
  })
  .openapi('Version')

export const VersionListSchema = z
  .object({ versions: z.array(VersionSchema) })
  .openapi('VersionList')

export const NewVersionSchema = z
  .object({ name: z.string().trim().min(1).max(200) })
  .openapi('NewVersion')

export const RestoredSchema = z
  .object({
    restored: z.string(),
    before: z.string().openapi({ description: 'The version saved of the state before it' }),
  })
  .openapi('Restored')

export const InspectionSchema = z
  .object({
    name: z.string(),
    bytes: z.number().int(),
    logEntries: z.number().int(),
    logBytes: z.number().int(),
    deletedItems: z.number().int(),
    deletedLength: z.number().int(),
    clients: z.number().int(),
    versions: z.number().int(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Inspection')

export const CompactedSchema = z.object({ compacted: z.string() }).openapi('Compacted')

export const RestoreBackupQuery = z.object({
  doc: z.string().max(255).optional().openapi({ description: 'Restore only this document' }),
  force: z.enum(['true', 'false']).optional().openapi({
    description: 'Restore into a store that holds documents',
  }),
})

export const BackupRestoredSchema = z
  .object({ documents: z.number().int(), versions: z.number().int() })
  .openapi('BackupRestored')

/** A JSON response of `schema`. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
})

const refusalDescriptions: Record<number, string> = {
  400: 'Bad request: a bad document name, format, query or body',
  401: 'No valid token',
  403: 'The token may not do this',
  404: 'No such document (never written, or deleted) or version',
  409: 'The store holds documents (restore with force=true)',
  412: 'If-None-Match: * and the document is not empty',
  413: 'The body or the document would be too large',
  503: 'The store cannot write now, or the document is unavailable',
}

/**
 * The refusals a route may answer with. Each is an `Error` object (`{ error, reason }`, see the
 * schema); they are described without a body schema so that handlers may answer them from the
 * one refusal table (replies.ts) rather than through the router's typed replies.
 */
export const errors = <Status extends number>(
  ...statuses: Status[]
): Record<Status, { description: string }> =>
  Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: `${refusalDescriptions[status] ?? 'Refused'}: an Error object` },
    ]),
  ) as Record<Status, { description: string }>
