// `collab-server list`: the stored documents, as a table or as JSON.
import { Option } from 'commander'
import { allDocuments } from './all-documents.js'
import { entryToJson } from './api-json.js'
import type { DocumentCommand } from './document-command.js'
import { jsonOption } from './flags.js'
import { formatBytes, formatTable, formatTime } from './table.js'

/** Lists documents: name, size, last change and open connections. */
export const listCommand: DocumentCommand = {
  name: 'list',
  description: 'List the stored documents: name, size, last change, connections now.',
  mayCreateStore: false,
  hasProgress: false,
  configure: (command) =>
    command
      .addOption(new Option('--prefix <prefix>', 'only names that start with this').default(''))
      .addOption(jsonOption()),
  run: async ({ backend, flags, print }) => {
    const { prefix, json } = flags as { prefix: string; json?: boolean }
    const entries = []
    for await (const entry of allDocuments(await backend(), prefix)) entries.push(entry)
    if (json === true) {
      await print(`${JSON.stringify({ documents: entries.map(entryToJson) }, null, 2)}\n`)
      return
    }
    if (entries.length === 0) {
      await print(prefix === '' ? 'no documents\n' : `no documents named ${prefix}…\n`)
      return
    }
    const columns = [
      { title: 'NAME' },
      { title: 'SIZE', isNumeric: true },
      { title: 'UPDATED' },
      { title: 'CONNECTIONS', isNumeric: true },
    ]
    const rows = entries.map((entry) => [
      entry.name,
      formatBytes(entry.bytes),
      formatTime(entry.updatedAtMs),
      String(entry.connections),
    ])
    await print(formatTable(columns, rows))
  },
}
