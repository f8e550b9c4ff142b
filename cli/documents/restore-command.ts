// `collab-server restore`: a document's content back to a saved version's, as a new change.
import { Option } from 'commander'
import type { DocumentCommand } from './document-command.js'
import { documentOption } from './flags.js'

/** Restores a version; the state before is saved as a version of kind `restore`. */
export const restoreCommand: DocumentCommand = {
  name: 'restore',
  description:
    "Make a document's content that of a saved version (the state before is saved as a version).",
  mayCreateStore: false,
  hasProgress: false,
  configure: (command) =>
    command
      .addOption(documentOption().makeOptionMandatory())
      .addOption(
        new Option(
          '--version-id <id>',
          'the version to restore (see versions)',
        ).makeOptionMandatory(),
      ),
  run: async ({ backend, flags, print }) => {
    const { doc, versionId } = flags as { doc: string; versionId: string }
    const { restored, before } = await (await backend()).restore(doc, versionId)
    await print(
      `restored ${JSON.stringify(doc)} to version ${restored}; the state before is version ${before}\n`,
    )
  },
}
