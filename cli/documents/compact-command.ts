// `collab-server compact`: folds update logs into one state, of one document or of every one.
import { allDocumentNames } from './all-documents.js'
import type { DocumentCommand } from './document-command.js'
import { documentOption } from './flags.js'
import { counted } from './table.js'

/** Compacts one document, or every document with progress. */
export const compactCommand: DocumentCommand = {
  name: 'compact',
  description: "Fold a document's update log into one state; every document without --doc.",
  mayCreateStore: false,
  hasProgress: true,
  configure: (command) => command.addOption(documentOption('only this document')),
  run: async ({ backend, flags, print, progress }) => {
    const { doc } = flags as { doc?: string }
    const documents = await backend()
    if (doc !== undefined) {
      await documents.compact(doc)
      await print(`compacted ${JSON.stringify(doc)}\n`)
      return
    }
    const names = await allDocumentNames(documents)
    const shown = progress('compact', names.length, 'documents')
    try {
      for (const name of names) {
        await documents.compact(name)
        shown.advance()
      }
    } finally {
      shown.finish()
    }
    await print(`compacted ${counted(names.length, 'document')}\n`)
  },
}
