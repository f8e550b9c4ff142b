// Runs one document command: builds its flags (the backend's, its own, --help), parses them,
// opens the backend when the command asks, runs it and closes the backend. Every failure ends as
// one line `collab-server: <message>` on stderr and an exit code (command-error.ts), never a
// stack trace.
import { Command, Option } from 'commander'
import { ConfigError, parseFlags } from '../config.js'
import type { DocumentBackend } from './backend.js'
import { addBackendOptions, openBackend, readBackendChoice } from './backend-flags.js'
import { backupCommand } from './backup-command.js'
import { CommandError, exitCodes } from './command-error.js'
import { compactCommand } from './compact-command.js'
import type { DocumentCommand } from './document-command.js'
import { exportCommand } from './export-command.js'
import { importCommand } from './import-command.js'
import { inspectCommand } from './inspect-command.js'
import { listCommand } from './list-command.js'
import { progressMode, startProgress } from './progress.js'
import { restoreBackupCommand } from './restore-backup-command.js'
import { restoreCommand } from './restore-command.js'
import { versionsCommand } from './versions-command.js'

/** Every document command, by the name that follows `collab-server`. */
export const documentCommands: ReadonlyMap<string, DocumentCommand> = new Map(
  [
    listCommand,
    exportCommand,
    importCommand,
    versionsCommand,
    restoreCommand,
    inspectCommand,
    compactCommand,
    backupCommand,
    restoreBackupCommand,
  ].map((command) => [command.name, command]),
)

/** Writes to stdout and resolves once the bytes are handed on (before the process exits). */
const print = (data: string | Uint8Array): Promise<void> =>
  new Promise((resolve, reject) =>
    process.stdout.write(data, (error) => (error ? reject(error) : resolve())),
  )

function buildProgram(command: DocumentCommand): Command {
  const program = new Command(`collab-server ${command.name}`).description(command.description)
  addBackendOptions(program)
  if (command.hasProgress) {
    program.addOption(new Option('-q, --quiet', 'show no progress on stderr'))
  }
  command.configure(program)
  return program.helpOption('-h, --help', 'show this help').exitOverride()
}

function failureOf(error: unknown): { message: string; code: number } {
  if (error instanceof ConfigError) return { message: error.message, code: exitCodes.usage }
  if (error instanceof CommandError) return { message: error.message, code: error.exitCode }
  return { message: (error as Error).message, code: exitCodes.failed }
}

async function run(command: DocumentCommand, args: readonly string[]): Promise<void> {
  const program = buildProgram(command)
  if (!parseFlags(program, args, (text) => process.stdout.write(text), `${command.name} --help`)) {
    return
  }
  const choice = readBackendChoice(program)
  const mode = progressMode(process.stderr, program.opts<{ quiet?: boolean }>().quiet === true)
  let opening: Promise<DocumentBackend> | undefined
  const context = {
    backend: () => (opening ??= openBackend(choice, command.mayCreateStore)),
    flags: program.opts(),
    operands: program.args,
    print,
    progress: (label: string, total: number, unit: string) =>
      startProgress(mode, process.stderr, label, total, unit),
    stdin: process.stdin,
  }
  let isDone = false
  try {
    await command.run(context)
    isDone = true
  } finally {
    const backend = await opening?.catch(() => undefined)
    // A failure to close after a failed run would hide why the run failed.
    if (isDone) await backend?.close()
    else await backend?.close().catch(() => undefined)
  }
}

/**
 * Runs `command` with `args` (the words after its name) and resolves with the exit code, having
 * printed the one-line message of a failure on stderr.
 */
export async function runDocumentCommand(
  command: DocumentCommand,
  args: readonly string[],
): Promise<number> {
  // A reader that stops early (`| head`) closes the pipe: stop quietly, as other tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    process.exit(error.code === 'EPIPE' ? exitCodes.ok : exitCodes.failed)
  })
  try {
    await run(command, args)
    return exitCodes.ok
  } catch (error) {
    const { message, code } = failureOf(error)
    process.stderr.write(`collab-server: ${message}\n`)
    return code
  }
}
