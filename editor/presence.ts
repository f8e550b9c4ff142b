// Who is in the document: the local user's name and colour in the awareness `user` field (read by
// y-prosemirror's cursors), the list of present users, and friendly defaults for both.
import type { Awareness } from 'y-protocols/awareness'

/** How a user is shown to the others: a display name and a `#rrggbb` colour. */
export interface UserIdentity {
  name: string
  color: string
}

/** One user present in the document, as the presence list shows it. */
export interface PresentUser extends UserIdentity {
  /** The Yjs client ID; unique per open editor. */
  clientId: number
  /** True for this editor's own entry. */
  isLocal: boolean
}

/** Longest display name, in characters; longer names are cut. */
const maxUserNameLength = 64

// Distinguishable on white, dark enough for white label text. y-prosemirror wants #rrggbb.
const palette = [
  '#d1495b',
  '#00798c',
  '#edae49',
  '#30638e',
  '#6a4c93',
  '#2a9d8f',
  '#e76f51',
  '#8f2d56',
]
const adjectives = ['Brave', 'Calm', 'Clever', 'Gentle', 'Happy', 'Lucky', 'Quick', 'Witty']
const animals = ['Otter', 'Fox', 'Panda', 'Heron', 'Lynx', 'Koala', 'Badger', 'Falcon']
const hexColor = /^#[0-9a-f]{6}$/i

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T
}

/** A random colour from the editor's palette. */
export function randomColor(): string {
  return pick(palette)
}

/** A random friendly display name such as "Calm Otter". */
export function randomUserName(): string {
  return `${pick(adjectives)} ${pick(animals)}`
}

/**
 * Checks a user identity: the name is trimmed, must not be empty and is cut to
 * `maxUserNameLength`; the colour must be `#rrggbb`. Throws RangeError otherwise.
 */
export function normalizeUser(user: UserIdentity): UserIdentity {
  const name = [...user.name.trim()].slice(0, maxUserNameLength).join('')
  if (name === '') throw new RangeError('the user name is empty')
  if (!hexColor.test(user.color)) {
    throw new RangeError(
      `the user colour must look like #rrggbb, not ${JSON.stringify(user.color)}`,
    )
  }
  return { name, color: user.color.toLowerCase() }
}

function readIdentity(state: Record<string, unknown>): UserIdentity | undefined {
  const user = state.user as Partial<UserIdentity> | undefined
  if (typeof user?.name !== 'string' || typeof user.color !== 'string') return undefined
  return { name: user.name, color: hexColor.test(user.color) ? user.color : '#888888' }
}

/**
 * The users present in the awareness, local user first, then by name. Clients without a
 * valid `user` field (e.g. bare Yjs clients) are left out.
 */
export function listPresentUsers(awareness: Awareness): PresentUser[] {
  const users: PresentUser[] = []
  for (const [clientId, state] of awareness.getStates()) {
    const identity = readIdentity(state)
    if (identity) users.push({ ...identity, clientId, isLocal: clientId === awareness.clientID })
  }
  return users.sort(
    (a, b) =>
      Number(b.isLocal) - Number(a.isLocal) ||
      a.name.localeCompare(b.name) ||
      a.clientId - b.clientId,
  )
}
