// The toolbar's block type menu: a button that names the block at the caret ("Heading 2") and
// opens a menu of Text and Heading 1–3 (a menu button: Enter, Space or ArrowDown open it, arrows
// move, Escape closes and focus goes back to the button).
import type { Command, EditorState } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import { makeHeading, makeParagraph } from './commands.js'
import { createFloating, type Floating } from './floating.js'
import { icon, type IconName } from './icons.js'
import { ariaKeyShortcut, type KeyPlatform, shortcutLabel } from './key-names.js'
import { editorSchema } from './schema.js'
import type { BoundKeys } from './toolbar-items.js'

interface BlockType {
  readonly name: string
  readonly label: string
  readonly icon: IconName
  readonly keys: BoundKeys
  readonly command: Command
  readonly level: number | null
}

const blockTypes: readonly BlockType[] = [
  {
    name: 'paragraph',
    label: 'Text',
    icon: 'paragraph',
    keys: 'Shift-Ctrl-0',
    command: makeParagraph,
    level: null,
  },
  {
    name: 'heading1',
    label: 'Heading 1',
    icon: 'heading1',
    keys: 'Shift-Ctrl-1',
    command: makeHeading(1),
    level: 1,
  },
  {
    name: 'heading2',
    label: 'Heading 2',
    icon: 'heading2',
    keys: 'Shift-Ctrl-2',
    command: makeHeading(2),
    level: 2,
  },
  {
    name: 'heading3',
    label: 'Heading 3',
    icon: 'heading3',
    keys: 'Shift-Ctrl-3',
    command: makeHeading(3),
    level: 3,
  },
]

/** What the button says for the block at the caret. */
function currentBlockLabel(state: EditorState): string {
  const { parent } = state.selection.$from
  if (parent.type === editorSchema.nodes.heading) return `Heading ${String(parent.attrs.level)}`
  if (parent.type === editorSchema.nodes.code_block) return 'Code'
  return 'Text'
}

/** The menu button and its menu; the toolbar updates it with each state. */
export interface BlockTypeMenu {
  readonly element: HTMLElement
  update(view: EditorView): void
  destroy(): void
}

/**
 * Builds `span.collab-editor-block-type`: `button[data-command=block-type]` and a
 * `[role=menu]` of `button[data-command=paragraph|heading1|heading2|heading3]`.
 */
export function createBlockTypeMenu(initialView: EditorView, platform: KeyPlatform): BlockTypeMenu {
  let view = initialView
  const element = document.createElement('span')
  element.className = 'collab-editor-block-type'
  const trigger = element.appendChild(document.createElement('button'))
  trigger.type = 'button'
  trigger.dataset.command = 'block-type'
  trigger.className = 'collab-editor-block-type-button'
  trigger.setAttribute('aria-haspopup', 'menu')
  trigger.setAttribute('aria-expanded', 'false')
  trigger.title = 'Block type'
  const triggerLabel = trigger.appendChild(document.createElement('span'))
  trigger.append(icon('chevron-down'))

  const menu: Floating = createFloating(element, 'collab-editor-popover collab-editor-menu')
  menu.element.setAttribute('role', 'menu')
  menu.element.setAttribute('aria-label', 'Block type')
  // The menu moves focus itself: the toolbar's arrow keys leave it alone.
  menu.element.dataset.rovingSkip = ''
  const items = blockTypes.map((blockType) => {
    const item = menu.element.appendChild(document.createElement('button'))
    item.type = 'button'
    item.dataset.command = blockType.name
    item.className = 'collab-editor-menu-item'
    item.setAttribute('role', 'menuitemradio')
    item.tabIndex = -1
    const keys = shortcutLabel(blockType.keys, platform)
    item.title = `${blockType.label} (${keys})`
    item.setAttribute('aria-keyshortcuts', ariaKeyShortcut(blockType.keys, platform))
    const label = document.createElement('span')
    label.className = `collab-editor-menu-label is-${blockType.name}`
    label.textContent = blockType.label
    const shortcut = document.createElement('span')
    shortcut.className = 'collab-editor-menu-shortcut'
    shortcut.textContent = keys
    shortcut.setAttribute('aria-hidden', 'true')
    item.append(icon(blockType.icon), label, shortcut)
    return { blockType, item }
  })

  const isOpen = (): boolean => menu.isShown
  // While open: a press outside closes it, and so does Escape wherever focus is (a click opens
  // it with focus still in the document). Listened to on the page, through the shadow root.
  const page = element.ownerDocument
  const onPagePointer = (event: Event): void => {
    if (!event.composedPath().includes(element)) close(false)
  }
  const onPageKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape') return
    event.preventDefault()
    event.stopPropagation()
    close(event.composedPath().includes(menu.element))
  }
  const open = (focusItem: boolean): void => {
    if (!isOpen()) {
      menu.show(() => trigger.getBoundingClientRect())
      trigger.setAttribute('aria-expanded', 'true')
      page.addEventListener('mousedown', onPagePointer, true)
      page.addEventListener('keydown', onPageKeydown, true)
    }
    if (focusItem) {
      const checked = items.find(({ item }) => item.getAttribute('aria-checked') === 'true')
      ;(checked ?? items[0])?.item.focus()
    }
  }
  function close(returnFocus: boolean): void {
    if (!isOpen()) return
    menu.hide()
    trigger.setAttribute('aria-expanded', 'false')
    page.removeEventListener('mousedown', onPagePointer, true)
    page.removeEventListener('keydown', onPageKeydown, true)
    if (returnFocus) trigger.focus()
  }

  element.addEventListener('mousedown', (event) => event.preventDefault())
  trigger.addEventListener('click', (event) => {
    if (isOpen()) close(false)
    else open(event.detail === 0)
  })
  trigger.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return
    event.preventDefault()
    event.stopPropagation()
    open(true)
  })
  for (const { blockType, item } of items) {
    item.addEventListener('click', (event) => {
      blockType.command(view.state, view.dispatch, view)
      close(event.detail === 0)
      if (event.detail !== 0) view.focus()
    })
  }
  menu.element.addEventListener('keydown', (event) => {
    const enabled = items.map(({ item }) => item).filter((item) => !item.disabled)
    const at = enabled.findIndex((item) => item === event.target)
    const moves: Record<string, number> = {
      ArrowDown: at + 1,
      ArrowUp: at - 1 + enabled.length,
      Home: 0,
      End: enabled.length - 1,
    }
    if (event.key === 'Tab') close(false)
    else if (event.key in moves) enabled[(moves[event.key] ?? 0) % enabled.length]?.focus()
    else return
    if (event.key !== 'Tab') event.preventDefault()
    event.stopPropagation()
  })
  element.addEventListener('focusout', (event) => {
    if (!(event.relatedTarget instanceof Node && element.contains(event.relatedTarget)))
      close(false)
  })

  return {
    element,
    update(next) {
      view = next
      const label = currentBlockLabel(view.state)
      triggerLabel.textContent = label
      trigger.setAttribute('aria-label', `Block type: ${label}`)
      const { parent } = view.state.selection.$from
      const level = parent.type === editorSchema.nodes.heading ? Number(parent.attrs.level) : null
      for (const { blockType, item } of items) {
        const isCurrent =
          blockType.level === null
            ? parent.type === editorSchema.nodes.paragraph
            : level === blockType.level
        item.setAttribute('aria-checked', String(isCurrent))
        const isApplicable = isCurrent || blockType.command(view.state, undefined, view)
        if (item.disabled !== !isApplicable) item.disabled = !isApplicable
      }
      const isDisabled = items.every(({ item }) => item.disabled)
      if (trigger.disabled !== isDisabled) trigger.disabled = isDisabled
      if (isDisabled) close(false)
      else menu.reposition()
    },
    destroy() {
      close(false)
      menu.destroy()
    },
  }
}
