// Downloading the document as a file: the server's export of it as it is now
// (GET /api/documents/{name}/content?format=…), saved under the document's name.
import type { DocumentApi, ExportFormat } from './document-api.js'

const extensions: Record<ExportFormat, string> = { markdown: 'md', html: 'html' }

/** How long the downloaded file's object URL is kept: long enough for the download to start. */
const objectUrlLifetimeMs = 60_000

/**
 * The file name of a download: the document name, with characters that file systems refuse
 * (path separators, `:*?"<>|`, control characters) made dashes, and the format's extension.
 */
function exportFileName(documentName: string, format: ExportFormat): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it replaces
  const base = documentName.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]+/g, '-').trim() || 'document'
  return `${base}.${extensions[format]}`
}

/** Fetches the export and has the browser save it; rejects as the API call does. */
export async function downloadExport(
  api: DocumentApi,
  documentName: string,
  format: ExportFormat,
): Promise<void> {
  const url = URL.createObjectURL(await api.fetchContent(format))
  const link = document.createElement('a')
  link.href = url
  link.download = exportFileName(documentName, format)
  link.hidden = true
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), objectUrlLifetimeMs)
}
