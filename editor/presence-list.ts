// Who is in the document, in the status bar: overlapping round avatars with initials in each
// person's colour, this user first (their avatar opens a form to change their name), at most
// `maxVisibleAvatars` of them and then a "+N" button that lists everyone.
import type { PresentUser } from './presence.js'
import { labelTextColor } from './user-colors.js'

/** Avatars shown in a row; the others are counted in the "+N" button. */
export const maxVisibleAvatars = 5

/** What the presence list does for the editor. */
export interface PresenceListOptions {
  /** Called with the name this user typed for themself (trimmed, not empty). */
  onRename: (name: string) => void
}

/** The presence list's element and the function that shows the people present. */
export interface PresenceList {
  readonly element: HTMLElement
  show(people: readonly PresentUser[]): void
  destroy(): void
}

/** Up to two initials: of the first and last words of the name. */
function initialsFromName(name: string): string {
  const words = name.split(/\s+/).filter((word) => word !== '')
  const first = [...(words[0] ?? '?')][0] ?? '?'
  const last = words.length > 1 ? ([...(words.at(-1) ?? '')][0] ?? '') : ''
  return `${first}${last}`.toLocaleUpperCase()
}

function spokenName(person: PresentUser): string {
  return person.isLocal ? `${person.name} (you)` : person.name
}

function tabsNote(person: PresentUser): string {
  return person.clientIds.length > 1 ? `${person.clientIds.length} tabs` : ''
}

function tooltipOf(person: PresentUser): string {
  return [spokenName(person), tabsNote(person)].filter((part) => part !== '').join(' · ')
}

/** Initials drawn by CSS, hidden from assistive technology: the element's text stays empty. */
function initialsOf(person: PresentUser): HTMLElement {
  const initials = document.createElement('span')
  initials.className = 'collab-presence-initials'
  initials.dataset.initials = initialsFromName(person.name)
  initials.setAttribute('aria-hidden', 'true')
  return initials
}

/** An avatar's content: the initials, and the name for screen readers and the element's text. */
function avatarContent(person: PresentUser): Node[] {
  const name = document.createElement('span')
  name.className = 'collab-visually-hidden'
  name.textContent = spokenName(person)
  return [initialsOf(person), name]
}

function paint(element: HTMLElement, color: string): void {
  element.style.setProperty('--collab-user-color', color)
  element.style.setProperty('--collab-user-text', labelTextColor(color))
}

function popover(className: string, label: string): HTMLElement {
  const element = document.createElement('div')
  element.className = `collab-presence-popover ${className}`
  element.setAttribute('role', 'dialog')
  element.setAttribute('aria-label', label)
  element.hidden = true
  return element
}

/**
 * Builds `.collab-presence`: the list `ul[aria-label="People in this document"]` with one
 * `li.collab-presence-user` per person (`data-color` their colour, their name as its text,
 * `hidden` when counted in "+N"), the button `.collab-presence-more`, and the popovers with
 * everyone (`.collab-presence-people`) and the name form (`.collab-presence-rename`).
 */
export function createPresenceList({ onRename }: PresenceListOptions): PresenceList {
  const element = document.createElement('div')
  element.className = 'collab-presence'
  const list = element.appendChild(document.createElement('ul'))
  list.className = 'collab-presence-list'
  list.setAttribute('aria-label', 'People in this document')
  const more = element.appendChild(document.createElement('button'))
  more.type = 'button'
  more.className = 'collab-presence-more'
  more.setAttribute('aria-haspopup', 'dialog')
  more.setAttribute('aria-expanded', 'false')
  more.hidden = true

  const everyone = element.appendChild(popover('collab-presence-people', 'Everyone here'))
  const everyoneTitle = everyone.appendChild(document.createElement('p'))
  everyoneTitle.className = 'collab-presence-popover-title'
  const everyoneList = everyone.appendChild(document.createElement('ul'))
  everyone.tabIndex = -1

  const rename = element.appendChild(popover('collab-presence-rename', 'Your name'))
  const form = rename.appendChild(document.createElement('form'))
  const inputLabel = form.appendChild(document.createElement('label'))
  const inputTitle = inputLabel.appendChild(document.createElement('span'))
  inputTitle.className = 'collab-presence-popover-title'
  inputTitle.textContent = 'Your name, as the others see it'
  const input = inputLabel.appendChild(document.createElement('input'))
  input.maxLength = 64
  input.setAttribute('autocomplete', 'nickname')
  input.spellcheck = false
  const actions = form.appendChild(document.createElement('div'))
  actions.className = 'collab-presence-rename-actions'
  const cancel = actions.appendChild(document.createElement('button'))
  cancel.type = 'button'
  cancel.textContent = 'Cancel'
  const save = actions.appendChild(document.createElement('button'))
  save.type = 'submit'
  save.className = 'is-primary'
  save.textContent = 'Save'

  let people: readonly PresentUser[] = []
  const items = new Map<number, HTMLLIElement>()
  // The same button stays while the others come and go, so that it keeps the focus.
  const localButton = document.createElement('button')
  localButton.type = 'button'
  localButton.className = 'collab-presence-avatar'
  localButton.setAttribute('aria-haspopup', 'dialog')
  localButton.setAttribute('aria-expanded', 'false')
  let openPopover: { popover: HTMLElement; opener: HTMLElement } | undefined

  const close = ({ isFocusReturned = true } = {}): void => {
    if (!openPopover) return
    const { popover: shown, opener } = openPopover
    openPopover = undefined
    shown.hidden = true
    opener.setAttribute('aria-expanded', 'false')
    element.ownerDocument.removeEventListener('pointerdown', onOutsidePointer, true)
    if (isFocusReturned) opener.focus()
  }
  const open = (shown: HTMLElement, opener: HTMLElement): void => {
    close({ isFocusReturned: false })
    openPopover = { popover: shown, opener }
    shown.hidden = false
    opener.setAttribute('aria-expanded', 'true')
    element.ownerDocument.addEventListener('pointerdown', onOutsidePointer, true)
  }
  // composedPath sees through the shadow root the editor may live in.
  function onOutsidePointer(event: PointerEvent): void {
    if (!event.composedPath().includes(element)) close({ isFocusReturned: false })
  }
  element.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !openPopover) return
    event.preventDefault()
    event.stopPropagation()
    close()
  })
  // Tabbing out of a popover closes it, as a click elsewhere does.
  element.addEventListener('focusout', (event) => {
    const next = event.relatedTarget
    if (next instanceof Node && !element.contains(next)) close({ isFocusReturned: false })
  })

  const showEveryone = (): void => {
    everyoneTitle.textContent = `${people.length} people in this document`
    everyoneList.replaceChildren(
      ...people.map((person) => {
        const row = document.createElement('li')
        row.className = 'collab-presence-row'
        paint(row, person.color)
        const avatar = row.appendChild(document.createElement('span'))
        avatar.className = 'collab-presence-avatar'
        avatar.append(initialsOf(person))
        const name = row.appendChild(document.createElement('span'))
        name.className = 'collab-presence-row-name'
        name.textContent = person.name
        const notes = [person.isLocal ? 'you' : '', tabsNote(person)].filter((note) => note)
        if (notes.length > 0) {
          const note = row.appendChild(document.createElement('span'))
          note.className = 'collab-presence-row-note'
          note.textContent = notes.join(' · ')
        }
        return row
      }),
    )
  }
  more.addEventListener('click', () => {
    if (openPopover?.popover === everyone) return close()
    showEveryone()
    open(everyone, more)
    everyone.focus()
  })
  const openRename = (opener: HTMLButtonElement): void => {
    if (openPopover?.popover === rename) return close()
    input.value = people.find((person) => person.isLocal)?.name ?? ''
    input.removeAttribute('aria-invalid')
    open(rename, opener)
    input.focus()
    input.select()
  }
  localButton.addEventListener('click', () => openRename(localButton))
  cancel.addEventListener('click', () => close())
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const name = input.value.trim()
    if (name === '') {
      input.setAttribute('aria-invalid', 'true')
      input.focus()
      return
    }
    close()
    onRename(name)
  })

  const renderItem = (item: HTMLLIElement, person: PresentUser): void => {
    item.className = 'collab-presence-user'
    item.classList.toggle('is-local', person.isLocal)
    item.dataset.color = person.color
    item.dataset.clientId = String(person.clientId)
    item.title = person.isLocal
      ? `${tooltipOf(person)} · click to change your name`
      : tooltipOf(person)
    paint(item, person.color)
    if (person.isLocal) {
      localButton.replaceChildren(...avatarContent(person))
      if (localButton.parentElement !== item) item.replaceChildren(localButton)
    } else {
      const avatar = document.createElement('span')
      avatar.className = 'collab-presence-avatar'
      avatar.append(...avatarContent(person))
      item.replaceChildren(avatar)
    }
  }

  return {
    element,
    show(shown) {
      people = shown
      const seen = new Set<number>()
      shown.forEach((person, index) => {
        seen.add(person.clientId)
        let item = items.get(person.clientId)
        if (!item) items.set(person.clientId, (item = document.createElement('li')))
        renderItem(item, person)
        item.hidden = index >= maxVisibleAvatars
        // Moved only when out of place: moving an element would take the focus from it.
        if (list.children[index] !== item) list.insertBefore(item, list.children[index] ?? null)
      })
      for (const [clientId, item] of items) {
        if (seen.has(clientId)) continue
        item.remove()
        items.delete(clientId)
      }
      const hiddenCount = Math.max(0, shown.length - maxVisibleAvatars)
      more.hidden = hiddenCount === 0
      more.textContent = `+${hiddenCount}`
      more.setAttribute('aria-label', `Show everyone (${shown.length} people)`)
      more.title = `${hiddenCount} more: show everyone`
      if (openPopover?.popover !== everyone) return
      if (more.hidden) close({ isFocusReturned: false })
      else showEveryone()
    },
    destroy() {
      close({ isFocusReturned: false })
    },
  }
}
