// What a document command is (list, export, …): its flags and what it runs with the backend the
// common flags chose. run-document-command.ts builds, parses and runs one.
import type { Command, OptionValues } from 'commander'
import type { DocumentBackend } from './backend.js'
import type { Progress } from './progress.js'

/** What a command runs with; owned by the runner, which closes the backend afterwards. */
export interface CommandContext {
  /** Opens the backend the flags chose, on the first call only. */
  readonly backend: () => Promise<DocumentBackend>
  /** The parsed flags (commander's `opts()`). */
  readonly flags: OptionValues
  /** The arguments after the flags, e.g. a FILE. */
  readonly operands: readonly string[]
  /** Writes to stdout, which carries the command's output and nothing else. */
  readonly print: (data: string | Uint8Array) => Promise<void>
  /** Shows progress on stderr, as the terminal and --quiet say. */
  readonly progress: (label: string, total: number, unit: string) => Progress
  readonly stdin: AsyncIterable<Uint8Array>
}

/** One `collab-server <name>` command. */
export interface DocumentCommand {
  readonly name: string
  /** One line for --help. */
  readonly description: string
  /** Adds the command's own flags and arguments. */
  readonly configure: (command: Command) => void
  /** May create a data directory that does not exist yet (import, restore-backup). */
  readonly mayCreateStore: boolean
  /** Reports progress (adds --quiet). */
  readonly hasProgress: boolean
  readonly run: (context: CommandContext) => Promise<void>
}
