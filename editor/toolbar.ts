// The formatting toolbar above the document (`role="toolbar"`, "Formatting"): undo and redo, the
// block type menu, marks and link, lists and blocks, inserts, table tools while the caret is in
// a table, and the shortcut help. A ProseMirror plugin view, so pressed and disabled states follow
// the selection. One tab stop with arrow keys between its controls (roving-focus.ts).
import { Plugin } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import { type BlockTypeMenu, createBlockTypeMenu } from './block-type-menu.js'
import { icon } from './icons.js'
import {
  ariaKeyShortcut,
  currentKeyPlatform,
  type KeyPlatform,
  shortcutLabel,
} from './key-names.js'
import { type RovingFocus, rovingFocus } from './roving-focus.js'
import {
  historyGroup,
  type ToolbarGroup,
  type ToolbarItem,
  toolbarGroups,
} from './toolbar-items.js'

function keysOn(item: ToolbarItem, platform: KeyPlatform): string | undefined {
  if (item.keys === undefined) return undefined
  return typeof item.keys === 'string' ? item.keys : item.keys[platform]
}

function renderButton(item: ToolbarItem, platform: KeyPlatform): HTMLButtonElement {
  const button = document.createElement('button')
  button.type = 'button'
  button.className = 'collab-editor-icon-button'
  button.dataset.command = item.name
  button.setAttribute('aria-label', item.label)
  const keys = keysOn(item, platform)
  button.title =
    keys === undefined ? item.label : `${item.label} (${shortcutLabel(keys, platform)})`
  if (keys !== undefined) button.setAttribute('aria-keyshortcuts', ariaKeyShortcut(keys, platform))
  if (item.isActive) button.setAttribute('aria-pressed', 'false')
  button.append(icon(item.icon))
  if (item.text !== undefined) {
    button.classList.add('has-text')
    button.append(item.text)
  }
  return button
}

function renderGroup(group: ToolbarGroup): HTMLElement {
  const element = document.createElement('span')
  element.className = 'collab-editor-toolbar-group'
  element.dataset.group = group.name
  element.setAttribute('role', 'group')
  element.setAttribute('aria-label', group.label)
  return element
}

/** The toolbar's DOM and what keeps it up to date. */
class ToolbarView {
  private readonly container: HTMLElement
  private readonly buttons: Array<{ item: ToolbarItem; button: HTMLButtonElement }> = []
  private readonly groups: Array<{ group: ToolbarGroup; element: HTMLElement }> = []
  private readonly blockType: BlockTypeMenu
  private readonly roving: RovingFocus
  private view: EditorView

  constructor(container: HTMLElement, view: EditorView) {
    this.container = container
    this.view = view
    const platform = currentKeyPlatform()
    container.setAttribute('aria-label', 'Formatting')
    container.append(this.renderGroup(historyGroup, platform))
    this.blockType = createBlockTypeMenu(view, platform)
    const blockGroup = container.appendChild(
      renderGroup({ name: 'block-type', label: 'Block type', items: [] }),
    )
    blockGroup.append(this.blockType.element)
    for (const group of toolbarGroups) container.append(this.renderGroup(group, platform))
    // mousedown, not click, would move focus: the document keeps its focus and selection.
    container.addEventListener('mousedown', (event) => {
      if (event.target instanceof Element && event.target.closest('button')) event.preventDefault()
    })
    this.roving = rovingFocus(container, () => this.view.focus())
    this.update(view)
  }

  update(view: EditorView): void {
    this.view = view
    const { state } = view
    for (const { item, button } of this.buttons) {
      const isDisabled = !item.command(state, undefined, view)
      if (button.disabled !== isDisabled) button.disabled = isDisabled
      if (item.isActive) {
        const isActive = item.isActive(state)
        button.setAttribute('aria-pressed', String(isActive))
        button.classList.toggle('is-active', isActive)
      }
    }
    for (const { group, element } of this.groups) {
      const isHidden = group.isShown ? !group.isShown(state) : false
      if (element.hidden !== isHidden) element.hidden = isHidden
    }
    this.blockType.update(view)
    this.roving.refresh()
  }

  destroy(): void {
    this.roving.destroy()
    this.blockType.destroy()
    this.container.replaceChildren()
  }

  private renderGroup(group: ToolbarGroup, platform: KeyPlatform): HTMLElement {
    const element = renderGroup(group)
    for (const item of group.items) {
      const button = element.appendChild(renderButton(item, platform))
      button.addEventListener('click', (event) => this.run(item, event.detail === 0))
      this.buttons.push({ item, button })
    }
    this.groups.push({ group, element })
    return element
  }

  // From the keyboard, focus stays on the toolbar; after a click the document has it.
  private run(item: ToolbarItem, isFromKeyboard: boolean): void {
    const { view } = this
    item.command(view.state, view.dispatch, view)
    if (!isFromKeyboard && !item.opensPopover) view.focus()
  }
}

/**
 * A plugin that renders the toolbar into `container` (the `role="toolbar"` element): groups of
 * `button[data-command]` (`undo`, `redo`, `block-type` with `paragraph`, `heading1`…`heading3`,
 * `strong`, `em`, `underline`, `strike`, `code`, `link`, `bullet-list`, `ordered-list`,
 * `task-list`, `blockquote`, `code-block`, `horizontal-rule`, `table`, `image`, the table tools
 * `add-row`, `add-column`, `delete-row`, `delete-column`, `delete-table`, and `help`).
 */
export function toolbarPlugin(container: HTMLElement): Plugin {
  return new Plugin({ view: (view) => new ToolbarView(container, view) })
}
