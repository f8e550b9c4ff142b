// `collab-server inspect`: what a document holds: sizes, update log, deleted content, clients.
import { inspectionToJson } from './api-json.js'
import type { DocumentCommand } from './document-command.js'
import { documentOption, jsonOption } from './flags.js'
import { formatBytes, formatFields, formatTime } from './table.js'

/** Shows a document's size, update log, deleted content, clients and versions. */
export const inspectCommand: DocumentCommand = {
  name: 'inspect',
  description: 'Show what a document holds: size, update log, deleted content, clients, versions.',
  mayCreateStore: false,
  hasProgress: false,
  configure: (command) =>
    command.addOption(documentOption().makeOptionMandatory()).addOption(jsonOption()),
  run: async ({ backend, flags, print }) => {
    const { doc, json } = flags as { doc: string; json?: boolean }
    const inspection = await (await backend()).inspect(doc)
    if (json === true) {
      await print(`${JSON.stringify(inspectionToJson(inspection), null, 2)}\n`)
      return
    }
    const rows: Array<[string, string]> = [
      ['name', inspection.name],
      [
        'size',
        `${formatBytes(inspection.bytes)} (${inspection.bytes} bytes, encoded as one update)`,
      ],
      [
        'update log',
        `${inspection.logEntries} entries, ${formatBytes(inspection.logBytes)} (folded in by compact)`,
      ],
      ['deleted', `${inspection.deletedItems} items, ${inspection.deletedLength} in length`],
      ['clients', `${inspection.clients} (Yjs client ids that wrote to it)`],
      ['versions', String(inspection.versions)],
      ['created', formatTime(inspection.createdAtMs)],
      ['updated', formatTime(inspection.updatedAtMs)],
    ]
    await print(formatFields(rows))
  },
}
