// How the document commands fail: one line on stderr and an exit code from one table
// (cli/README.md, "Exit codes").

/** The exit codes of the document commands. */
export const exitCodes = {
  ok: 0,
  /** The operation failed: no such document or version, a bad backup, a refused HTTP call. */
  failed: 1,
  /** Bad flags or values, or a data directory that cannot be used (e.g. a server holds it). */
  usage: 2,
} as const

/** A command failed; the runner prints `collab-server: <message>` and exits with `exitCode`. */
export class CommandError extends Error {
  override readonly name = 'CommandError'
  readonly exitCode: number

  constructor(message: string, exitCode: number = exitCodes.failed) {
    super(message)
    this.exitCode = exitCode
  }
}
