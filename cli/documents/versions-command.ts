// `collab-server versions`: a document's saved versions, newest first.
import type { DocumentCommand } from './document-command.js'
import { versionToJson } from './api-json.js'
import { documentOption, jsonOption } from './flags.js'
import { formatBytes, formatTable, formatTime } from './table.js'

/** Lists a document's versions: id, kind, name, when, size, who changed it. */
export const versionsCommand: DocumentCommand = {
  name: 'versions',
  description: "List a document's saved versions, newest first.",
  mayCreateStore: false,
  hasProgress: false,
  configure: (command) =>
    command.addOption(documentOption().makeOptionMandatory()).addOption(jsonOption()),
  run: async ({ backend, flags, print }) => {
    const { doc, json } = flags as { doc: string; json?: boolean }
    const versions = await (await backend()).versions(doc)
    if (json === true) {
      await print(`${JSON.stringify({ versions: versions.map(versionToJson) }, null, 2)}\n`)
      return
    }
    if (versions.length === 0) {
      await print(`${JSON.stringify(doc)} has no saved versions\n`)
      return
    }
    const columns = [
      { title: 'ID' },
      { title: 'KIND' },
      { title: 'CREATED' },
      { title: 'SIZE', isNumeric: true },
      { title: 'NAME' },
      { title: 'AUTHORS' },
    ]
    const rows = versions.map((version) => [
      version.id,
      version.kind,
      formatTime(version.createdAtMs),
      formatBytes(version.bytes),
      version.name ?? '',
      version.authors.map((author) => author.name ?? author.userId ?? 'anonymous').join(', '),
    ])
    await print(formatTable(columns, rows))
  },
}
