// `collab-server import`: a file (or stdin) read in one format becomes a document's content.
import { readFile } from 'node:fs/promises'
import type { ContentFormat } from './backend.js'
import { CommandError } from './command-error.js'
import type { DocumentCommand } from './document-command.js'
import { documentOption, formatOption } from './flags.js'

async function readInput(file: string, stdin: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  if (file === '-') {
    const chunks: Uint8Array[] = []
    for await (const chunk of stdin) chunks.push(chunk)
    return Buffer.concat(chunks)
  }
  try {
    return await readFile(file)
  } catch (error) {
    throw new CommandError(`cannot read ${file}: ${(error as Error).message}`)
  }
}

/** Makes a file's content a document's, creating it when needed (yjs: merges the update in). */
export const importCommand: DocumentCommand = {
  name: 'import',
  description:
    "Make FILE (- for stdin) the document's content, creating it if needed; yjs merges the update in.",
  mayCreateStore: true,
  hasProgress: false,
  configure: (command) =>
    command
      .addOption(documentOption('the document to write').makeOptionMandatory())
      .addOption(formatOption('what FILE holds (yjs: a binary Yjs update)').makeOptionMandatory())
      .argument('<file>', 'the file to read, or - for stdin'),
  run: async ({ backend, flags, operands, print, stdin }) => {
    const { doc, format } = flags as { doc: string; format: ContentFormat }
    const body = await readInput(operands[0]!, stdin)
    const { created } = await (await backend()).importContent(doc, format, body)
    const name = JSON.stringify(doc)
    if (created) await print(`created ${name}\n`)
    else if (format === 'yjs') await print(`merged the update into ${name}\n`)
    else await print(`replaced the content of ${name}\n`)
  },
}
