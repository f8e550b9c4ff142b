// `collab-server backup`: every document with its versions into one backup file
// (docs/backup-format.md), written beside its name first and renamed once whole.
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Option } from 'commander'
import { encodeBackup } from '../../server/documents/backup-format.js'
import type { DocumentBackup } from '../../server/index.js'
import { allDocumentNames } from './all-documents.js'
import { CommandError } from './command-error.js'
import type { DocumentCommand } from './document-command.js'
import { counted } from './table.js'

/** Whether `error` is one of the file system's (the file could not be written). */
const isFileError = (error: unknown): error is NodeJS.ErrnoException =>
  error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string'

/** Writes a backup of every document, each consistent in itself. */
export const backupCommand: DocumentCommand = {
  name: 'backup',
  description: 'Write every document, its versions included, to one backup file.',
  mayCreateStore: false,
  hasProgress: true,
  configure: (command) =>
    command.addOption(new Option('--out <file>', 'the backup file to write').makeOptionMandatory()),
  run: async ({ backend, flags, print, progress }) => {
    const { out } = flags as { out: string }
    const documents = await backend()
    const shown = progress('backup', (await allDocumentNames(documents)).length, 'documents')
    let count = 0
    let versions = 0
    async function* tallied(): AsyncGenerator<DocumentBackup> {
      for await (const backup of documents.backup()) {
        yield backup
        count += 1
        versions += backup.versions.length
        shown.advance()
      }
    }
    // A backup cut short (an error, a kill) never stands under the name of a whole one.
    const partial = `${out}.partial`
    try {
      await pipeline(Readable.from(encodeBackup(tallied())), createWriteStream(partial))
      await rename(partial, out)
    } catch (error) {
      await rm(partial, { force: true })
      if (isFileError(error)) throw new CommandError(`cannot write ${out}: ${error.message}`)
      throw error
    } finally {
      shown.finish()
    }
    await print(
      `backed up ${counted(count, 'document')} (${counted(versions, 'version')}) to ${out}\n`,
    )
  },
}
