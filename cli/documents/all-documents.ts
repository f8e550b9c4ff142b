// Every stored document of a backend, page by page, for the commands that go through them all.
import type { DocumentEntry } from '../../server/index.js'
import type { DocumentBackend } from './backend.js'

/** Documents per page. */
const pageSize = 200

/** The documents whose names start with `prefix`, in name order. */
export async function* allDocuments(
  backend: DocumentBackend,
  prefix = '',
): AsyncGenerator<DocumentEntry> {
  let after: string | null = null
  do {
    const page = await backend.list({ prefix, limit: pageSize, after })
    yield* page.documents
    after = page.next
  } while (after !== null)
}

/** The names of every document (names are small: thousands fit in memory). */
export async function allDocumentNames(backend: DocumentBackend): Promise<string[]> {
  const names: string[] = []
  for await (const { name } of allDocuments(backend)) names.push(name)
  return names
}
