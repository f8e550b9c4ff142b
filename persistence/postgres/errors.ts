// What the PostgreSQL store rejects with when PostgreSQL fails a call: what the store was doing,
// where (the URL without its password, and the schema), and what PostgreSQL or the network said.
// Imports nothing.

/** A PostgreSQL answer's SQLSTATE: five digits or capital letters. */
const sqlStatePattern = /^[0-9A-Z]{5}$/

// SQLSTATE classes of a server that is away or overloaded rather than refusing: connection
// exceptions, insufficient resources (too many connections), operator intervention (shutdown).
const transientClasses = new Set(['08', '53', '57'])

/** A failed call to PostgreSQL, or PostgreSQL that could not be reached. */
export class PostgresStoreError extends Error {
  override readonly name = 'PostgresStoreError'
  /** PostgreSQL's SQLSTATE (28P01: a wrong password), or Node's code (ECONNREFUSED), if any. */
  readonly code: string | undefined
  /**
   * True when no answer came (refused, timed out, connection lost, shutting down): that may pass
   * by itself. False when PostgreSQL answered and refused (credentials, permissions, a missing
   * database): retrying will not help.
   */
  readonly isUnreachable: boolean

  constructor(
    message: string,
    options: { cause?: unknown; code?: string; isUnreachable: boolean },
  ) {
    super(message, { cause: options.cause })
    this.code = options.code
    this.isUnreachable = options.isUnreachable
  }
}

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/**
 * What went wrong, in one line. Node reports a refused connection to a name with several
 * addresses (localhost) as an AggregateError without a message: its errors say it.
 */
function describeCause(error: unknown): string {
  if (error instanceof AggregateError && error.message === '') {
    return error.errors.map(describeCause).join('; ')
  }
  if (error instanceof Error) return error.message || codeOf(error) || error.name
  return String(error)
}

/**
 * Wraps what `pg` rejected with: `location` says where (`redactPostgresUrl` and the schema),
 * `action` what the store was doing ("append to room \"doc\"").
 */
export function storeError(location: string, action: string, error: unknown): PostgresStoreError {
  const code = codeOf(error)
  const isAnswer = code !== undefined && sqlStatePattern.test(code)
  return new PostgresStoreError(
    `PostgreSQL (${location}) could not ${action}: ${describeCause(error)}`,
    {
      cause: error,
      code,
      isUnreachable: !isAnswer || transientClasses.has(code.slice(0, 2)),
    },
  )
}
