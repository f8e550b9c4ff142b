// The keyboard shortcut help: a modal <dialog> listing every shortcut by group, keys as <kbd> in
// the platform's words (the same words as the toolbar's tooltips). Opened by the toolbar's help
// button (`openShortcutHelp`) and by Mod-/; Escape or Close shuts it and focus goes back.
import { keydownHandler } from 'prosemirror-keymap'
import { type Command, Plugin, PluginKey } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import { icon } from './icons.js'
import {
  currentKeyPlatform,
  type KeyPlatform,
  shortcutKeyParts,
  shortcutKeySeparator,
} from './key-names.js'
import { shortcuts } from './shortcut-list.js'

/** Shortcuts of the editing UI itself (its plugins bind them), listed with the keymap's. */
export const interfaceShortcuts = [
  { keys: 'Mod-k', description: 'Add or edit a link', group: 'Text' },
  { keys: 'Mod-/', description: 'Show keyboard shortcuts', group: 'Help' },
] as const

/** True while the help is open. */
const shortcutHelpKey = new PluginKey<boolean>('collab-shortcut-help')

/** Opens the shortcut help. */
export const openShortcutHelp: Command = (state, dispatch) => {
  dispatch?.(state.tr.setMeta(shortcutHelpKey, true))
  return true
}

interface ListedShortcut {
  readonly keys: string
  readonly description: string
  readonly group: string
}

/** `<kbd>⌘</kbd><kbd>B</kbd>`, or `<kbd>Ctrl</kbd>+<kbd>B</kbd>`: its text is the tooltip's. */
function renderKeys(keys: string, platform: KeyPlatform): HTMLElement {
  const element = document.createElement('span')
  element.className = 'collab-editor-keys'
  shortcutKeyParts(keys, platform).forEach((part, index) => {
    if (index > 0) element.append(shortcutKeySeparator(platform))
    element.appendChild(document.createElement('kbd')).textContent = part
  })
  return element
}

// One row per description within a group: "Redo" with Ctrl+Shift+Z or Ctrl+Y.
function groupShortcuts(list: readonly ListedShortcut[]): Map<string, Map<string, string[]>> {
  const groups = new Map<string, Map<string, string[]>>()
  for (const { keys, description, group } of list) {
    const rows = groups.get(group) ?? new Map<string, string[]>()
    groups.set(group, rows)
    rows.set(description, [...(rows.get(description) ?? []), keys])
  }
  return groups
}

function renderDialog(platform: KeyPlatform): { dialog: HTMLDialogElement; close: HTMLElement } {
  const dialog = document.createElement('dialog')
  dialog.className = 'collab-editor-shortcut-help'
  const titleId = `collab-shortcuts-${Math.random().toString(36).slice(2, 10)}`
  dialog.setAttribute('aria-labelledby', titleId)
  const header = dialog.appendChild(document.createElement('header'))
  const title = header.appendChild(document.createElement('h2'))
  title.id = titleId
  title.textContent = 'Keyboard shortcuts'
  const close = header.appendChild(document.createElement('button'))
  close.type = 'button'
  close.className = 'collab-editor-icon-button'
  close.setAttribute('aria-label', 'Close')
  close.title = 'Close (Esc)'
  close.append(icon('close'))
  close.addEventListener('click', () => dialog.close())

  const body = dialog.appendChild(document.createElement('div'))
  body.className = 'collab-editor-shortcut-groups'
  // It scrolls in a short window: focusable, so the keyboard can scroll it too.
  body.tabIndex = 0
  body.setAttribute('role', 'region')
  body.setAttribute('aria-label', 'Shortcuts')
  const listed: readonly ListedShortcut[] = [...shortcuts, ...interfaceShortcuts]
  for (const [group, rows] of groupShortcuts(listed)) {
    const section = body.appendChild(document.createElement('section'))
    const heading = section.appendChild(document.createElement('h3'))
    heading.textContent = group
    const list = section.appendChild(document.createElement('dl'))
    for (const [description, keyList] of rows) {
      const row = list.appendChild(document.createElement('div'))
      row.appendChild(document.createElement('dt')).textContent = description
      const keys = row.appendChild(document.createElement('dd'))
      keyList.forEach((keysOfOne, index) => {
        if (index > 0) keys.append(' or ')
        keys.append(renderKeys(keysOfOne, platform))
      })
    }
  }
  const hint = dialog.appendChild(document.createElement('p'))
  hint.className = 'collab-editor-shortcut-hint'
  const slash = document.createElement('kbd')
  slash.textContent = '/'
  hint.append('Type ', slash, ' at the start of a line for headings, lists, tables and more.')
  return { dialog, close }
}

function setOpen(view: EditorView, isOpen: boolean): void {
  if (shortcutHelpKey.getState(view.state) !== isOpen)
    view.dispatch(view.state.tr.setMeta(shortcutHelpKey, isOpen))
}

/**
 * The shortcut help plugin: binds Mod-/ and shows `dialog.collab-editor-shortcut-help` (after
 * the document) while open. Closing it gives focus back to what had it.
 */
export function shortcutHelpPlugin(): Plugin {
  return new Plugin<boolean>({
    key: shortcutHelpKey,
    state: {
      init: () => false,
      apply: (tr, isOpen) => {
        const meta: unknown = tr.getMeta(shortcutHelpKey)
        return typeof meta === 'boolean' ? meta : isOpen
      },
    },
    props: { handleKeyDown: keydownHandler({ 'Mod-/': openShortcutHelp }) },
    view(editorView) {
      const { dialog, close } = renderDialog(currentKeyPlatform())
      ;(editorView.dom.parentElement ?? editorView.dom).append(dialog)
      let view = editorView
      let returnFocusTo: HTMLElement | null = null
      dialog.addEventListener('close', () => {
        setOpen(view, false)
        if (returnFocusTo?.isConnected) returnFocusTo.focus()
        else view.focus()
        returnFocusTo = null
      })
      const update = (next: EditorView): void => {
        view = next
        const isOpen = shortcutHelpKey.getState(view.state) ?? false
        if (isOpen && !dialog.open) {
          const active = view.root.activeElement
          returnFocusTo = active instanceof HTMLElement ? active : null
          dialog.showModal()
          close.focus()
        } else if (!isOpen && dialog.open) {
          dialog.close()
        }
      }
      update(editorView)
      return { update, destroy: () => dialog.remove() }
    },
  })
}
