// The small formatting toolbar above the editor: marks, block types, lists, undo/redo. A
// ProseMirror plugin view, so buttons show the active marks and grey out when not applicable.
import type { MarkType } from 'prosemirror-model'
import type { Command, EditorState } from 'prosemirror-state'
import { Plugin } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import {
  isMarkActive,
  makeCodeBlock,
  makeHeading,
  makeParagraph,
  redo,
  toggleCode,
  toggleEm,
  toggleLink,
  toggleStrong,
  undo,
  wrapInBlockquote,
  wrapInBulletList,
  wrapInOrderedList,
} from './commands.js'
import { editorSchema } from './schema.js'

interface ToolbarItem {
  /** Stable name, also the button's `data-command`. */
  name: string
  label: string
  title: string
  command: Command
  isActive?: (state: EditorState) => boolean
}

const { marks } = editorSchema

function button(name: string, label: string, title: string, command: Command): ToolbarItem {
  return { name, label, title, command }
}

function markButton(
  name: string,
  label: string,
  title: string,
  command: Command,
  type: MarkType,
): ToolbarItem {
  return { name, label, title, command, isActive: (state) => isMarkActive(state, type) }
}

const items: ToolbarItem[][] = [
  [
    markButton('strong', 'B', 'Bold (Mod-b)', toggleStrong, marks.strong),
    markButton('em', 'I', 'Italic (Mod-i)', toggleEm, marks.em),
    markButton('code', '</>', 'Code (Mod-`)', toggleCode, marks.code),
    markButton('link', 'Link', 'Link (Mod-k)', toggleLink, marks.link),
  ],
  [
    button('paragraph', '¶', 'Paragraph (Shift-Ctrl-0)', makeParagraph),
    button('heading1', 'H1', 'Heading 1 (Shift-Ctrl-1)', makeHeading(1)),
    button('heading2', 'H2', 'Heading 2 (Shift-Ctrl-2)', makeHeading(2)),
    button('code-block', '{ }', 'Code block (Shift-Ctrl-\\)', makeCodeBlock),
  ],
  [
    button('bullet-list', '•', 'Bullet list (Shift-Ctrl-8)', wrapInBulletList),
    button('ordered-list', '1.', 'Ordered list (Shift-Ctrl-9)', wrapInOrderedList),
    button('blockquote', '❝', 'Quote (Ctrl->)', wrapInBlockquote),
  ],
  [
    button('undo', '↶', 'Undo your last change (Mod-z)', undo),
    button('redo', '↷', 'Redo (Mod-y)', redo),
  ],
]

/** A plugin that renders the toolbar into `container` and keeps its buttons up to date. */
export function toolbarPlugin(container: HTMLElement): Plugin {
  return new Plugin({
    view(view: EditorView) {
      const buttons: Array<{ item: ToolbarItem; button: HTMLButtonElement }> = []
      for (const group of items) {
        const groupElement = container.appendChild(document.createElement('span'))
        groupElement.className = 'collab-editor-toolbar-group'
        for (const item of group) {
          const button = groupElement.appendChild(document.createElement('button'))
          button.type = 'button'
          button.textContent = item.label
          button.title = item.title
          button.setAttribute('aria-label', item.title)
          button.dataset.command = item.name
          // mousedown, not click: keep the editor's selection and focus.
          button.addEventListener('mousedown', (event) => {
            event.preventDefault()
            item.command(view.state, view.dispatch, view)
            view.focus()
          })
          buttons.push({ item, button })
        }
      }
      const update = (current: EditorView): void => {
        for (const { item, button } of buttons) {
          button.disabled = !item.command(current.state, undefined, current)
          const isActive = item.isActive?.(current.state) ?? false
          button.classList.toggle('is-active', isActive)
          button.setAttribute('aria-pressed', String(isActive))
        }
      }
      update(view)
      return { update, destroy: () => container.replaceChildren() }
    },
  })
}
