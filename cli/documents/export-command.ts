// `collab-server export`: a document's content (or a version's) in one format, to stdout or a file.
import { writeFile } from 'node:fs/promises'
import { Option } from 'commander'
import type { ContentFormat } from './backend.js'
import { CommandError } from './command-error.js'
import type { DocumentCommand } from './document-command.js'
import { documentOption, formatOption } from './flags.js'

/** Writes a document's content: ProseMirror JSON, HTML, Markdown, text or a Yjs update. */
export const exportCommand: DocumentCommand = {
  name: 'export',
  description: "Write a document's content (or a version's) to stdout or a file.",
  mayCreateStore: false,
  hasProgress: false,
  configure: (command) =>
    command
      .addOption(documentOption('the document to export').makeOptionMandatory())
      .addOption(formatOption('json: ProseMirror JSON; yjs: a binary Yjs update').default('json'))
      .addOption(
        new Option('--version-id <id>', 'export this saved version instead (see versions)'),
      )
      .addOption(new Option('--out <file>', 'write to this file instead of stdout')),
  run: async ({ backend, flags, print }) => {
    const { doc, format, versionId, out } = flags as {
      doc: string
      format: ContentFormat
      versionId?: string
      out?: string
    }
    const content = await (await backend()).exportContent(doc, format, versionId ?? null)
    if (out === undefined) {
      await print(content)
      return
    }
    try {
      await writeFile(out, content)
    } catch (error) {
      throw new CommandError(`cannot write ${out}: ${(error as Error).message}`)
    }
  },
}
