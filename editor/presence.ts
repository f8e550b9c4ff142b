// Who is in the document: the identity each client puts in its awareness `user` field (read by
// y-prosemirror's cursors too), and the people present, one entry per person however many tabs
// they have open.
import type { Awareness } from 'y-protocols/awareness'
import { isHexColor } from './user-colors.js'

/** How a user is shown to the others: a display name, a `#rrggbb` colour and maybe an ID. */
export interface UserIdentity {
  name: string
  color: string
  /** The application's ID of the user; tabs with the same ID are one person. */
  id?: string
}

/** One person present in the document, as the presence list shows them. */
export interface PresentUser extends UserIdentity {
  /** The Yjs client ID of their first tab (this editor's own, for the local person). */
  clientId: number
  /** The Yjs client IDs of all their tabs, `clientId` first. */
  clientIds: number[]
  /** True for the person using this editor (in this tab or another). */
  isLocal: boolean
}

/** Longest display name, in characters; longer names are cut. */
const maxUserNameLength = 64
/** Longest user ID, in characters. */
const maxUserIdLength = 256
/** Shown for a client whose colour is not `#rrggbb`. */
const unknownColor = '#5f6368'

const adjectives = [
  'Brave',
  'Bright',
  'Calm',
  'Clever',
  'Cosy',
  'Curious',
  'Gentle',
  'Happy',
  'Jolly',
  'Kind',
  'Lucky',
  'Merry',
  'Nimble',
  'Quick',
  'Sunny',
  'Witty',
]
const animals = [
  'Badger',
  'Beaver',
  'Falcon',
  'Fox',
  'Hare',
  'Heron',
  'Koala',
  'Lynx',
  'Marten',
  'Otter',
  'Owl',
  'Panda',
  'Puffin',
  'Robin',
  'Seal',
  'Wren',
]

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T
}

/** A random friendly display name such as "Calm Otter". */
export function randomUserName(): string {
  return `${pick(adjectives)} ${pick(animals)}`
}

/**
 * A display name as shown: trimmed and cut to `maxUserNameLength` characters. Throws
 * RangeError when nothing is left.
 */
export function normalizeUserName(name: string): string {
  const normalized = [...name.trim()].slice(0, maxUserNameLength).join('')
  if (normalized === '') throw new RangeError('the user name is empty')
  return normalized
}

/** A `#rrggbb` colour in lower case. Throws RangeError for anything else. */
export function normalizeUserColor(color: string): string {
  if (!isHexColor(color)) {
    throw new RangeError(`the user colour must look like #rrggbb, not ${JSON.stringify(color)}`)
  }
  return color.toLowerCase()
}

/** A user ID, trimmed. Throws RangeError when empty or longer than `maxUserIdLength`. */
export function normalizeUserId(id: string): string {
  const normalized = id.trim()
  if (normalized === '') throw new RangeError('the user id is empty')
  if (normalized.length > maxUserIdLength) {
    throw new RangeError(`the user id is longer than ${maxUserIdLength} characters`)
  }
  return normalized
}

/**
 * The identity the application asked for, each part given checked and normalized (RangeError
 * for an empty name or ID, or a colour that is not `#rrggbb`), the parts not given left out.
 */
export function normalizeRequestedUser(user: Partial<UserIdentity> = {}): Partial<UserIdentity> {
  const requested: Partial<UserIdentity> = {}
  if (user.name !== undefined) requested.name = normalizeUserName(user.name)
  if (user.color !== undefined) requested.color = normalizeUserColor(user.color)
  if (user.id !== undefined) requested.id = normalizeUserId(user.id)
  return requested
}

/** The identity in a client's awareness state; undefined when it has none (bare Yjs clients). */
export function readIdentity(state: Record<string, unknown>): UserIdentity | undefined {
  const user = state.user as Partial<Record<keyof UserIdentity, unknown>> | undefined
  if (typeof user?.name !== 'string' || typeof user.color !== 'string') return undefined
  const color = isHexColor(user.color) ? user.color.toLowerCase() : unknownColor
  const identity: UserIdentity = { name: user.name, color }
  if (typeof user.id === 'string' && user.id !== '') identity.id = user.id
  return identity
}

// People are told apart by ID when they have one, else by what the others see of them.
function personKey({ id, name, color }: UserIdentity): string {
  return id === undefined ? `name:${color}:${name}` : `id:${id}`
}

/**
 * The people present, one entry per person (grouped by user ID when known, else by name and
 * colour), the local person first, then by name. `local` is this editor's identity, which its
 * awareness state may not carry yet. Clients without a valid `user` field are left out.
 */
export function listPresentUsers(awareness: Awareness, local: UserIdentity): PresentUser[] {
  const localKey = personKey(local)
  const people = new Map<string, PresentUser>()
  people.set(localKey, {
    ...local,
    clientId: awareness.clientID,
    clientIds: [awareness.clientID],
    isLocal: true,
  })
  const clientIds = [...awareness.getStates().keys()].sort((a, b) => a - b)
  for (const clientId of clientIds) {
    if (clientId === awareness.clientID) continue
    const identity = readIdentity(awareness.getStates().get(clientId) ?? {})
    if (!identity) continue
    const key = personKey(identity)
    const person = people.get(key)
    if (person) person.clientIds.push(clientId)
    else people.set(key, { ...identity, clientId, clientIds: [clientId], isLocal: false })
  }
  return [...people.values()].sort(
    (a, b) =>
      Number(b.isLocal) - Number(a.isLocal) ||
      a.name.localeCompare(b.name) ||
      a.clientId - b.clientId,
  )
}
