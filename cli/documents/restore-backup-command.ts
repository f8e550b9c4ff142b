// `collab-server restore-backup`: documents back from a backup file, versions included. The file
// is checked whole first, so that a damaged or cut one restores nothing.
import { createReadStream } from 'node:fs'
import { Option } from 'commander'
import { BackupFormatError, readBackup } from '../../server/documents/backup-format.js'
import type { DocumentBackup } from '../../server/index.js'
import { CommandError } from './command-error.js'
import type { DocumentCommand } from './document-command.js'
import { documentOption } from './flags.js'
import { counted } from './table.js'

/** The documents of `file`, or only the one named `only`; read errors as CommandErrors. */
async function* documentsOf(file: string, only: string | null): AsyncGenerator<DocumentBackup> {
  try {
    for await (const backup of readBackup(createReadStream(file))) {
      if (only === null) yield backup
      else if (backup.name === only) {
        yield backup
        return
      }
    }
  } catch (error) {
    if (error instanceof BackupFormatError) throw new CommandError(`${file}: ${error.message}`)
    if (error instanceof CommandError) throw error
    throw new CommandError(`cannot read ${file}: ${(error as Error).message}`)
  }
}

/** Reads the whole file once: how many documents it holds, or of `only`, 0 or 1. */
async function checkBackup(file: string, only: string | null): Promise<number> {
  let count = 0
  for await (const backup of documentsOf(file, null)) {
    if (only === null || backup.name === only) count += 1
  }
  if (only !== null && count === 0) {
    throw new CommandError(`${file} holds no document named ${JSON.stringify(only)}`)
  }
  return count
}

/** Restores every document of a backup into an empty store, or one with --doc. */
export const restoreBackupCommand: DocumentCommand = {
  name: 'restore-backup',
  description:
    'Restore the documents of a backup file, versions included, into an empty store (or one with --doc).',
  mayCreateStore: true,
  hasProgress: true,
  configure: (command) =>
    command
      .argument('<file>', 'a file written by backup')
      .addOption(
        documentOption('restore only this document, replacing it; others stay as they are'),
      )
      .addOption(
        new Option(
          '--force',
          'restore into a store that holds documents: those in the backup are replaced, others stay',
        ),
      ),
  run: async ({ backend, flags, operands, print, progress }) => {
    const file = operands[0]!
    const { doc, force } = flags as { doc?: string; force?: boolean }
    const only = doc ?? null
    const total = await checkBackup(file, only)
    const documents = await backend()
    if (only === null && force !== true) {
      const { documents: existing } = await documents.list({ prefix: '', limit: 1, after: null })
      if (existing.length > 0) {
        throw new CommandError(
          `the store holds documents already (${JSON.stringify(existing[0]!.name)} and maybe more): ` +
            'restore into an empty data directory, or give --force to replace those the backup ' +
            'holds, or --doc NAME to replace one',
        )
      }
    }
    const shown = progress('restore', total, 'documents')
    let result
    try {
      result = await documents.restoreBackup(
        (async function* shownDocuments() {
          for await (const backup of documentsOf(file, only)) {
            yield backup
            shown.advance()
          }
        })(),
        { only, force: force === true },
      )
    } finally {
      shown.finish()
    }
    await print(
      `restored ${counted(result.documents, 'document')} (${counted(result.versions, 'version')}) from ${file}\n`,
    )
  },
}
