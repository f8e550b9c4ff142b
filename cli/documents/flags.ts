// Flags that several document commands take: the document, the format, --json.
import { InvalidArgumentError, Option } from 'commander'
import { validateRoomName } from '../../protocol/room-name.js'
import { contentFormats } from './backend.js'

function parseDocumentName(value: string): string {
  const result = validateRoomName(value)
  if (!result.ok) throw new InvalidArgumentError(`${result.reason}.`)
  return value
}

/** `--doc <name>`: a document name as clients give it. */
export const documentOption = (description = 'the document'): Option =>
  new Option('--doc <name>', description).argParser(parseDocumentName)

/** `--format <format>`: one of the content formats. */
export const formatOption = (description: string): Option =>
  new Option('--format <format>', description).choices(contentFormats)

/** `--json`: machine output, as the HTTP API answers. */
export const jsonOption = (): Option =>
  new Option('--json', 'print JSON (as the HTTP API answers) instead of a table')
