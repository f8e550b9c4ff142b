// The document commands on a running server, through its HTTP API under /api/ (fetch). A refusal
// becomes a one-line CommandError carrying the API's `reason`.
import type { DocumentQuery, VersionInfo } from '../../persistence/store.js'
import {
  BackupFormatError,
  encodeBackup,
  readBackup,
} from '../../server/documents/backup-format.js'
import type {
  DocumentBackup,
  DocumentEntryPage,
  DocumentInspection,
  RestoreResult,
} from '../../server/index.js'
import { JsonReader, entryFromJson, inspectionFromJson, versionFromJson } from './api-json.js'
import type { ContentFormat, DocumentBackend, RestoredBackup } from './backend.js'
import { CommandError } from './command-error.js'

/** Options of `openHttpBackend`. */
export interface HttpBackendOptions {
  /** The server's base URL, e.g. http://localhost:1234 (the API is under its api/). */
  readonly url: URL
  /** Sent as a bearer token; null: none (authentication is off). */
  readonly token: string | null
}

/** The Content-Type each format is sent with. */
const contentTypes: Record<ContentFormat, string> = {
  json: 'application/json',
  html: 'text/html; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  yjs: 'application/octet-stream',
}

interface Call {
  readonly method?: string
  readonly query?: Record<string, string | null>
  readonly body?: RequestInit['body']
  readonly contentType?: string
}

/** The message of a refusal: the API's reason, else the status. */
async function refusalOf(response: Response): Promise<CommandError> {
  const text = await response.text()
  let reason = `HTTP ${response.status} ${response.statusText}`
  try {
    const json = new JsonReader(JSON.parse(text), 'refusal')
    reason = `${json.string('reason')} (HTTP ${response.status}, ${json.string('error')})`
  } catch {
    // Not the API's JSON (a proxy's page, say): the status says enough.
  }
  return new CommandError(reason)
}

/** The backend for the server at `options.url`; it holds nothing, so closing it does nothing. */
export function openHttpBackend(options: HttpBackendOptions): DocumentBackend {
  return new HttpBackend(options)
}

const segment = encodeURIComponent

class HttpBackend implements DocumentBackend {
  readonly #base: URL
  readonly #token: string | null

  constructor(options: HttpBackendOptions) {
    this.#base = new URL(options.url.href.endsWith('/') ? options.url.href : `${options.url.href}/`)
    this.#token = options.token
  }

  async list(query: DocumentQuery): Promise<DocumentEntryPage> {
    const reply = await this.#json('documents', {
      query: { prefix: query.prefix, limit: String(query.limit), cursor: query.after },
    })
    return {
      documents: reply.array('documents').map(entryFromJson),
      next: reply.stringOrNull('next'),
    }
  }

  async exportContent(
    name: string,
    format: ContentFormat,
    versionId: string | null,
  ): Promise<Uint8Array> {
    const path =
      versionId === null
        ? `documents/${segment(name)}/content`
        : `documents/${segment(name)}/versions/${segment(versionId)}/content`
    const response = await this.#fetch(path, { query: { format } })
    return new Uint8Array(await response.arrayBuffer())
  }

  async importContent(
    name: string,
    format: ContentFormat,
    body: Uint8Array,
  ): Promise<{ created: boolean }> {
    const response = await this.#fetch(`documents/${segment(name)}/content`, {
      method: 'PUT',
      query: { format },
      body,
      contentType: contentTypes[format],
    })
    await response.body?.cancel()
    return { created: response.status === 201 }
  }

  async versions(name: string): Promise<VersionInfo[]> {
    const reply = await this.#json(`documents/${segment(name)}/versions`)
    return reply.array('versions').map(versionFromJson)
  }

  async restore(name: string, versionId: string): Promise<RestoreResult> {
    const path = `documents/${segment(name)}/versions/${segment(versionId)}/restore`
    const reply = await this.#json(path, { method: 'POST' })
    return { restored: reply.string('restored'), before: reply.string('before') }
  }

  async inspect(name: string): Promise<DocumentInspection> {
    return inspectionFromJson(await this.#parsed(`documents/${segment(name)}/inspect`))
  }

  async compact(name: string): Promise<void> {
    await this.#json(`documents/${segment(name)}/compact`, { method: 'POST' })
  }

  async *backup(): AsyncGenerator<DocumentBackup> {
    const response = await this.#fetch('admin/backup')
    if (!response.body) throw new CommandError('the server answered the backup with no body')
    try {
      yield* readBackup(response.body)
    } catch (error) {
      if (error instanceof CommandError || error instanceof BackupFormatError) throw error
      throw new CommandError(
        `the backup from ${this.#base.origin} broke off: ${(error as Error).message}`,
      )
    }
  }

  async restoreBackup(
    documents: AsyncIterable<DocumentBackup>,
    options: { readonly only: string | null; readonly force: boolean },
  ): Promise<RestoredBackup> {
    const reply = await this.#json('admin/restore-backup', {
      method: 'POST',
      query: { doc: options.only, force: options.force ? 'true' : null },
      body: encodeBackup(documents),
      contentType: 'application/octet-stream',
    })
    return { documents: reply.number('documents'), versions: reply.number('versions') }
  }

  async close(): Promise<void> {}

  async #json(path: string, call: Call = {}): Promise<JsonReader> {
    return new JsonReader(await this.#parsed(path, call), path)
  }

  async #parsed(path: string, call: Call = {}): Promise<unknown> {
    const response = await this.#fetch(path, call)
    const text = await response.text()
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw new CommandError(`the server answered ${path} with something other than JSON`)
    }
  }

  async #fetch(path: string, call: Call = {}): Promise<Response> {
    const url = new URL(`api/${path}`, this.#base)
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value !== null) url.searchParams.set(key, value)
    }
    const headers: Record<string, string> = {}
    if (this.#token !== null) headers.authorization = `Bearer ${this.#token}`
    if (call.contentType !== undefined) headers['content-type'] = call.contentType
    let response: Response
    try {
      response = await fetch(url, {
        method: call.method ?? 'GET',
        headers,
        body: call.body ?? null,
        // Needed for a streamed body (a backup); harmless for the rest.
        duplex: 'half',
      })
    } catch (error) {
      const cause = (error as Error).cause as NodeJS.ErrnoException | undefined
      const why = cause?.code ?? cause?.message ?? (error as Error).message
      throw new CommandError(`cannot reach the server at ${this.#base.origin}: ${why}`)
    }
    if (!response.ok) throw await refusalOf(response)
    return response
  }
}
