// This editor's own person: the name (given, kept in the browser, or random), the colour (given,
// or the first one free among the people present) and maybe the ID it shows the others in its
// awareness `user` field, and renaming from the page.
import type { Awareness } from 'y-protocols/awareness'
import { Emitter } from './emitter.js'
import { normalizeUserName, randomUserName, readIdentity, type UserIdentity } from './presence.js'
import { type ColorPeer, chooseUserColor } from './user-colors.js'

/** The `localStorage` key of the name this browser's user goes by when no name is given. */
export const userNameStorageKey = 'collab-editor:user-name'

/** The awareness `user` field: what y-prosemirror and other Yjs editors read of a user. */
interface AwarenessUser extends UserIdentity {
  /** The colour, translucent: for selections, as some Yjs editors draw them. */
  colorLight: string
}

/** The local person; the editor owns it and destroys it with itself. */
export interface LocalUser {
  /** How the others see this user now (the colour may still change while it is not taken). */
  identity(): UserIdentity
  /**
   * Shows this user to the others, once the others' states are known (after the first sync), so
   * that the colour chosen is one nobody shows yet. Later calls do nothing.
   */
  join(): void
  /** Renames this user, here and in the browser's memory. Throws RangeError for an empty name. */
  rename(name: string): void
  /** Calls `listener` whenever the identity changed; returns the function that removes it. */
  onChange(listener: () => void): () => void
  destroy(): void
}

function readKeptName(): string | undefined {
  try {
    const kept = window.localStorage.getItem(userNameStorageKey)
    return kept === null ? undefined : normalizeUserName(kept)
  } catch {
    // No storage (blocked, sandboxed) or a kept name that is blank: nothing is kept.
    return undefined
  }
}

function keepName(name: string): void {
  try {
    window.localStorage.setItem(userNameStorageKey, name)
  } catch {
    // Without storage the name lasts as long as the page.
  }
}

/**
 * Creates the local person from what the application asked for (`requested`, as
 * `normalizeRequestedUser` returns it): a missing name is the one kept in this browser, else a
 * random one (then kept); a missing colour is chosen among the palette's and may change until
 * no one else shows it (user-colors.ts).
 */
export function createLocalUser(awareness: Awareness, requested: Partial<UserIdentity>): LocalUser {
  const { id, color: givenColor } = requested
  const isNameGiven = requested.name !== undefined
  let name = requested.name ?? readKeptName() ?? randomUserName()
  if (!isNameGiven) keepName(name)
  const events = new Emitter<{ change: undefined }>()
  // A colour of its own needs no one else's states: shown at once.
  let isJoined = givenColor !== undefined

  // Tabs of one person: the same ID, or without IDs the same name (the name is kept per browser).
  const peers = (): ColorPeer[] => {
    const found: ColorPeer[] = []
    for (const [clientId, state] of awareness.getStates()) {
      const identity = clientId === awareness.clientID ? undefined : readIdentity(state)
      if (!identity) continue
      const isSamePerson =
        id === undefined ? identity.id === undefined && identity.name === name : identity.id === id
      found.push({ clientId, color: identity.color, isSamePerson })
    }
    return found
  }
  // Until joined, the colour is only shown here and is chosen afresh from what is free.
  const chooseColor = (): string =>
    givenColor ??
    chooseUserColor(
      { clientId: awareness.clientID, current: isJoined ? color : undefined },
      peers(),
    )
  let color = chooseColor()

  const identity = (): UserIdentity => (id === undefined ? { name, color } : { name, color, id })
  const publish = (): void => {
    if (!isJoined) return
    const user: AwarenessUser = { ...identity(), colorLight: `${color}33` }
    awareness.setLocalStateField('user', user)
  }
  const onAwarenessChange = (): void => {
    const next = chooseColor()
    if (next === color) return
    color = next
    publish()
    events.emit('change', undefined)
  }
  const setName = (next: string): void => {
    if (next === name) return
    name = next
    color = chooseColor()
    publish()
    events.emit('change', undefined)
  }
  // A rename in another tab of this browser renames this one too, unless its name was given.
  const onStorage = (event: StorageEvent): void => {
    if (isNameGiven || event.key !== userNameStorageKey || event.newValue === null) return
    const kept = readKeptName()
    if (kept !== undefined) setName(kept)
  }

  publish()
  awareness.on('change', onAwarenessChange)
  window.addEventListener('storage', onStorage)
  return {
    identity,
    join() {
      if (isJoined) return
      color = chooseColor()
      isJoined = true
      publish()
      events.emit('change', undefined)
    },
    rename(newName) {
      const normalized = normalizeUserName(newName)
      keepName(normalized)
      setName(normalized)
    },
    onChange: (listener) => events.on('change', listener),
    destroy() {
      awareness.off('change', onAwarenessChange)
      window.removeEventListener('storage', onStorage)
      events.clear()
    },
  }
}
