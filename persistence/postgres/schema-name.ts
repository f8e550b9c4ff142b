// The PostgreSQL schema the store's tables live in: which names are accepted, and how they are
// written into SQL. Imports nothing.

/** PostgreSQL keeps identifiers of up to NAMEDATALEN − 1 bytes and silently cuts longer ones. */
const maxIdentifierBytes = 63

// Lowercase only: an unquoted name in psql folds to lowercase, so `collab` and `Collab` would
// otherwise be two schemas that look like one.
const schemaNamePattern = /^[a-z_][a-z0-9_]*$/

/** Checks a schema name; returns a one-line problem, or null when it is fine. */
export function schemaNameProblem(name: string): string | null {
  if (!schemaNamePattern.test(name) || name.length > maxIdentifierBytes) {
    return `expected a schema name of lowercase letters, digits and _, starting with a letter or _, at most ${maxIdentifierBytes} characters, not ${JSON.stringify(name)}`
  }
  if (name.startsWith('pg_')) return 'schema names starting with pg_ are reserved for PostgreSQL'
  return null
}

/**
 * The name as a quoted SQL identifier. Only for checked names (`schemaNameProblem`), which hold
 * no quote: identifiers cannot be query parameters, so this is the one name built into SQL text.
 */
export function quoteIdentifier(name: string): string {
  const problem = schemaNameProblem(name)
  if (problem) throw new RangeError(problem)
  return `"${name}"`
}
