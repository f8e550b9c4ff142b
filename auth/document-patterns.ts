// A token's `docs` claim (document-name pattern → access) compiled once into an access function.
// Imports only types from server/auth.ts.
import type { Access } from '../server/auth.js'

interface CompiledPattern {
  readonly length: number
  readonly access: Access
  /** The pattern split at each `*`: a name matches when these appear in it in order. */
  readonly parts: readonly string[]
}

function compile(pattern: string, access: Access): CompiledPattern {
  return { length: pattern.length, access, parts: pattern.split('*') }
}

/**
 * Whether `name` matches. A classic wildcard match rather than a RegExp: a pattern with many
 * stars cannot make it backtrack, and no character of a pattern needs escaping.
 */
function matches({ parts }: CompiledPattern, name: string): boolean {
  const first = parts[0] ?? ''
  if (parts.length === 1) return name === first
  const last = parts[parts.length - 1] ?? ''
  if (name.length < first.length + last.length) return false
  if (!name.startsWith(first) || !name.endsWith(last)) return false
  // Earliest placement of each middle part leaves the most room for the ones after it.
  let position = first.length
  const end = name.length - last.length
  for (const part of parts.slice(1, -1)) {
    const found = name.indexOf(part, position)
    if (found < 0 || found + part.length > end) return false
    position = found + part.length
  }
  return true
}

/**
 * Compiles `docs` into `access(document)`. In a pattern `*` matches any run of characters,
 * `/` included; without `*` a pattern is an exact document name. When several patterns match,
 * the longest (in characters) wins, and between equally long ones 'read' wins, so that the
 * order of the claim's keys never matters. No match: null.
 */
export function compileDocumentAccess(
  docs: Readonly<Record<string, Access>>,
): (document: string) => Access | null {
  const patterns = Object.entries(docs)
    .map(([pattern, access]) => compile(pattern, access))
    .sort((a, b) => b.length - a.length || (a.access === 'read' ? -1 : b.access === 'read' ? 1 : 0))
  return (document) => patterns.find((pattern) => matches(pattern, document))?.access ?? null
}
