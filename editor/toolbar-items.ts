// What the toolbar offers, group by group: each button's name (its `data-command`), label, icon,
// shortcut, command and whether it shows as pressed. The list buttons, quote and code block
// toggle: pressed, they take the selection back out.
import { lift } from 'prosemirror-commands'
import type { NodeType } from 'prosemirror-model'
import { liftListItem } from 'prosemirror-schema-list'
import type { Command, EditorState } from 'prosemirror-state'
import {
  addColumnAfter,
  addRowAfter,
  deleteColumn,
  deleteRow,
  deleteTable,
  insertHorizontalRule,
  insertTable,
  isInTable,
  isInTaskList,
  isMarkActive,
  makeCodeBlock,
  makeParagraph,
  redo,
  toggleCode,
  toggleEm,
  toggleStrike,
  toggleStrong,
  toggleUnderline,
  undo,
  wrapInBlockquote,
  wrapInBulletList,
  wrapInOrderedList,
  wrapInTaskList,
} from './commands.js'
import type { IconName } from './icons.js'
import { openImageForm } from './image-popover.js'
import type { KeyPlatform } from './key-names.js'
import { openLinkEditor } from './link-popover.js'
import { type interfaceShortcuts, openShortcutHelp } from './shortcut-help.js'
import type { ShortcutKeys } from './shortcut-list.js'
import { editorSchema } from './schema.js'

const { nodes, marks } = editorSchema

/** Keys the editor binds: the keymap's (shortcut-list.ts) and the editing UI's own. */
export type BoundKeys = ShortcutKeys | (typeof interfaceShortcuts)[number]['keys']

/** One toolbar button. */
export interface ToolbarItem {
  /** Stable name, the button's `data-command`. */
  readonly name: string
  /** The button's accessible name and tooltip. */
  readonly label: string
  readonly icon: IconName
  /** Visible text beside the icon, where the icon alone would not say enough. */
  readonly text?: string
  /** Its shortcut, shown in the tooltip: one for all platforms, or one per platform. */
  readonly keys?: BoundKeys | Readonly<Record<KeyPlatform, BoundKeys>>
  readonly command: Command
  /** Whether it shows as pressed (`aria-pressed`); buttons without it are not toggles. */
  readonly isActive?: (state: EditorState) => boolean
  /** It opens a popover or dialog, which takes focus; the document does not get it back. */
  readonly opensPopover?: boolean
}

/** A group of buttons between separators. */
export interface ToolbarGroup {
  readonly name: string
  /** The group's accessible name. */
  readonly label: string
  readonly items: readonly ToolbarItem[]
  /** Whether the group shows; always, without it. */
  readonly isShown?: (state: EditorState) => boolean
}

// The innermost list around the selection's start, with its position.
function listAround(state: EditorState): { type: NodeType; pos: number } | null {
  const { $from } = state.selection
  for (let depth = $from.depth; depth > 0; depth--) {
    const { type } = $from.node(depth)
    if (type === nodes.bullet_list || type === nodes.ordered_list || type === nodes.task_list)
      return { type, pos: $from.before(depth) }
  }
  return null
}

const hasAncestor = (state: EditorState, type: NodeType): boolean => {
  const { $from } = state.selection
  for (let depth = $from.depth; depth > 0; depth--) if ($from.node(depth).type === type) return true
  return false
}

/**
 * A bullet or ordered list button: out of a list of its kind; a bullet list becomes an ordered
 * one and back in place (their items are alike); anywhere else, `wrap`.
 */
function toggleList(listType: NodeType, wrap: Command): Command {
  return (state, dispatch) => {
    const list = listAround(state)
    if (list?.type === listType) return liftListItem(nodes.list_item)(state, dispatch)
    if (list && list.type !== nodes.task_list) {
      dispatch?.(state.tr.setNodeMarkup(list.pos, listType).scrollIntoView())
      return true
    }
    return wrap(state, dispatch)
  }
}

const toggleBlockquote: Command = (state, dispatch) =>
  hasAncestor(state, nodes.blockquote) ? lift(state, dispatch) : wrapInBlockquote(state, dispatch)

const isInCodeBlock = (state: EditorState): boolean =>
  state.selection.$from.parent.type === nodes.code_block

const toggleCodeBlock: Command = (state, dispatch) =>
  isInCodeBlock(state) ? makeParagraph(state, dispatch) : makeCodeBlock(state, dispatch)

const isListActive = (type: NodeType) => (state: EditorState) => listAround(state)?.type === type

/** The toolbar's groups after the block type menu, in order. */
export const toolbarGroups: readonly ToolbarGroup[] = [
  {
    name: 'marks',
    label: 'Text formatting',
    items: [
      {
        name: 'strong',
        label: 'Bold',
        icon: 'bold',
        keys: 'Mod-b',
        command: toggleStrong,
        isActive: (state) => isMarkActive(state, marks.strong),
      },
      {
        name: 'em',
        label: 'Italic',
        icon: 'italic',
        keys: 'Mod-i',
        command: toggleEm,
        isActive: (state) => isMarkActive(state, marks.em),
      },
      {
        name: 'underline',
        label: 'Underline',
        icon: 'underline',
        keys: 'Mod-u',
        command: toggleUnderline,
        isActive: (state) => isMarkActive(state, marks.underline),
      },
      {
        name: 'strike',
        label: 'Strikethrough',
        icon: 'strike',
        keys: 'Mod-Shift-s',
        command: toggleStrike,
        isActive: (state) => isMarkActive(state, marks.strike),
      },
      {
        name: 'code',
        label: 'Inline code',
        icon: 'code',
        keys: 'Mod-`',
        command: toggleCode,
        isActive: (state) => isMarkActive(state, marks.code),
      },
      {
        name: 'link',
        label: 'Link',
        icon: 'link',
        keys: 'Mod-k',
        command: openLinkEditor,
        isActive: (state) => isMarkActive(state, marks.link),
        opensPopover: true,
      },
    ],
  },
  {
    name: 'blocks',
    label: 'Lists and blocks',
    items: [
      {
        name: 'bullet-list',
        label: 'Bullet list',
        icon: 'bullet-list',
        keys: 'Shift-Ctrl-8',
        command: toggleList(nodes.bullet_list, wrapInBulletList),
        isActive: isListActive(nodes.bullet_list),
      },
      {
        name: 'ordered-list',
        label: 'Numbered list',
        icon: 'ordered-list',
        keys: 'Shift-Ctrl-9',
        command: toggleList(nodes.ordered_list, wrapInOrderedList),
        isActive: isListActive(nodes.ordered_list),
      },
      {
        name: 'task-list',
        label: 'Task list',
        icon: 'task-list',
        keys: 'Shift-Ctrl-7',
        command: wrapInTaskList,
        isActive: isInTaskList,
      },
      {
        name: 'blockquote',
        label: 'Quote',
        icon: 'blockquote',
        keys: 'Ctrl->',
        command: toggleBlockquote,
        isActive: (state) => hasAncestor(state, nodes.blockquote),
      },
      {
        name: 'code-block',
        label: 'Code block',
        icon: 'code-block',
        keys: 'Shift-Ctrl-\\',
        command: toggleCodeBlock,
        isActive: isInCodeBlock,
      },
    ],
  },
  {
    name: 'insert',
    label: 'Insert',
    items: [
      {
        name: 'horizontal-rule',
        label: 'Divider',
        icon: 'horizontal-rule',
        command: insertHorizontalRule,
      },
      { name: 'table', label: 'Table', icon: 'table', command: insertTable(3, 3, true) },
      { name: 'image', label: 'Image', icon: 'image', command: openImageForm, opensPopover: true },
    ],
  },
  {
    name: 'table-tools',
    label: 'Table',
    isShown: isInTable,
    items: [
      {
        name: 'add-row',
        label: 'Add a row below',
        icon: 'plus',
        text: 'Row',
        command: addRowAfter,
      },
      {
        name: 'add-column',
        label: 'Add a column to the right',
        icon: 'plus',
        text: 'Column',
        command: addColumnAfter,
      },
      {
        name: 'delete-row',
        label: 'Delete the row',
        icon: 'minus',
        text: 'Row',
        command: deleteRow,
      },
      {
        name: 'delete-column',
        label: 'Delete the column',
        icon: 'minus',
        text: 'Column',
        command: deleteColumn,
      },
      { name: 'delete-table', label: 'Delete the table', icon: 'delete', command: deleteTable },
    ],
  },
  {
    name: 'help',
    label: 'Help',
    items: [
      {
        name: 'help',
        label: 'Keyboard shortcuts',
        icon: 'help',
        keys: 'Mod-/',
        command: openShortcutHelp,
        opensPopover: true,
      },
    ],
  },
]

/** Undo and redo, the toolbar's first group. */
export const historyGroup: ToolbarGroup = {
  name: 'history',
  label: 'Undo and redo',
  items: [
    { name: 'undo', label: 'Undo', icon: 'undo', keys: 'Mod-z', command: undo },
    {
      name: 'redo',
      label: 'Redo',
      icon: 'redo',
      keys: { mac: 'Mod-Shift-z', pc: 'Mod-y' },
      command: redo,
    },
  ],
}
