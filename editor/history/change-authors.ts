// Who made the changes a version preview shows, as y-prosemirror's snapshot rendering asks it: a
// stand-in for Y.PermanentUserData built from the authors the server recorded with each version
// (client id → author), and a colour per author. Yjs does not record who deleted something, so
// deletions go to the version's only author, or to "Someone".
import type * as Y from 'yjs'
import type { ChangeColor } from './change-schema.js'
import { authorLabel, type Version } from './version.js'

// Who changes are attributed to when the author is not known.
const someone = 'Someone'

// Distinguishable on white and from the red of deletions; the unknown author's additions are
// green.
const palette = ['#0969da', '#8250df', '#bc4c00', '#1b7c83', '#bf3989', '#6e5a00', '#57606a']
const unknownAuthorColor = '#1a7f37'

function colorPair(dark: string): ChangeColor {
  // 20 % opaque: a tint that leaves the text readable.
  return { dark, light: `${dark}33` }
}

/**
 * The part of Y.PermanentUserData that y-prosemirror's `_renderSnapshot` uses: `dss` (deletions
 * by user, to split deleted ranges by deleter; none are known here) and the user of a client's
 * insertion or of a deletion.
 */
export interface UserLookup {
  readonly dss: Map<string, never>
  getUserByClientId(client: number): string
  getUserByDeletedId(id: Y.ID): string
}

/** What the preview's ySyncPlugin needs to name and colour the changes of one version. */
export interface ChangeAttribution {
  readonly users: UserLookup
  /** A colour for every user `users` can return; y-prosemirror reads it by user. */
  readonly colorMapping: Map<string, ChangeColor>
  /** The line and text colour of a user's changes. */
  colorOf(user: string): string
}

/**
 * Attributes the changes between `version` and the one before it. `versions` (any order) give
 * the client ids of every author; colours follow the order in which authors first appear,
 * oldest version first, so an author keeps one colour in every preview.
 */
export function attributeChanges(
  versions: readonly Version[],
  version: Version,
): ChangeAttribution {
  const userOfClient = new Map<number, string>()
  const colorMapping = new Map<string, ChangeColor>([[someone, colorPair(unknownAuthorColor)]])
  const oldestFirst = [...versions].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
  for (const { authors } of oldestFirst) {
    for (const author of authors) {
      const user = authorLabel(author)
      if (!colorMapping.has(user)) {
        const dark = palette[(colorMapping.size - 1) % palette.length] ?? unknownAuthorColor
        colorMapping.set(user, colorPair(dark))
      }
      for (const clientId of author.clientIds)
        if (!userOfClient.has(clientId)) userOfClient.set(clientId, user)
    }
  }
  const [onlyAuthor, ...others] = version.authors
  const deleter = onlyAuthor && others.length === 0 ? authorLabel(onlyAuthor) : someone
  return {
    users: {
      dss: new Map<string, never>(),
      getUserByClientId: (client) => userOfClient.get(client) ?? someone,
      getUserByDeletedId: () => deleter,
    },
    colorMapping,
    colorOf: (user) => colorMapping.get(user)?.dark ?? unknownAuthorColor,
  }
}
