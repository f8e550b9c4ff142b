// Every keyboard shortcut of the editor with what it does: the help dialog and the toolbar's
// tooltips show this list, and plugins.ts binds exactly these keys. No DOM, no commands.

/** Where a shortcut appears in the help. */
export type ShortcutGroup = 'Text' | 'Blocks' | 'Lists' | 'History' | 'Tables'

/** One shortcut: keys in prosemirror-keymap notation (`Mod-b`, `Shift-Ctrl-1`, `Tab`). */
export interface Shortcut {
  /** `Mod` is Cmd on macOS and Ctrl elsewhere; `Ctrl` is Ctrl everywhere. */
  readonly keys: string
  readonly description: string
  readonly group: ShortcutGroup
}

/**
 * The shortcuts, in the order the help lists them. A key may appear in two groups (Tab indents
 * in a list and moves on in a table); `plugins.ts` binds one command per key for all of them.
 */
export const shortcuts = [
  { keys: 'Mod-z', description: 'Undo your last change', group: 'History' },
  { keys: 'Mod-Shift-z', description: 'Redo', group: 'History' },
  { keys: 'Mod-y', description: 'Redo', group: 'History' },
  { keys: 'Backspace', description: 'Right after a Markdown shortcut: undo it', group: 'History' },

  { keys: 'Mod-b', description: 'Bold', group: 'Text' },
  { keys: 'Mod-i', description: 'Italic', group: 'Text' },
  { keys: 'Mod-u', description: 'Underline', group: 'Text' },
  { keys: 'Mod-Shift-s', description: 'Strikethrough', group: 'Text' },
  { keys: 'Mod-`', description: 'Inline code', group: 'Text' },
  { keys: 'Shift-Enter', description: 'Line break', group: 'Text' },

  { keys: 'Shift-Ctrl-0', description: 'Paragraph', group: 'Blocks' },
  { keys: 'Shift-Ctrl-1', description: 'Heading 1', group: 'Blocks' },
  { keys: 'Shift-Ctrl-2', description: 'Heading 2', group: 'Blocks' },
  { keys: 'Shift-Ctrl-3', description: 'Heading 3', group: 'Blocks' },
  { keys: 'Shift-Ctrl-4', description: 'Heading 4', group: 'Blocks' },
  { keys: 'Shift-Ctrl-5', description: 'Heading 5', group: 'Blocks' },
  { keys: 'Shift-Ctrl-6', description: 'Heading 6', group: 'Blocks' },
  { keys: 'Shift-Ctrl-\\', description: 'Code block', group: 'Blocks' },
  { keys: 'Ctrl->', description: 'Quote', group: 'Blocks' },
  { keys: 'Alt-ArrowUp', description: 'Join with the block above', group: 'Blocks' },
  { keys: 'Alt-ArrowDown', description: 'Join with the block below', group: 'Blocks' },
  { keys: 'Escape', description: 'Select the block around the selection', group: 'Blocks' },

  { keys: 'Shift-Ctrl-8', description: 'Bullet list', group: 'Lists' },
  { keys: 'Shift-Ctrl-9', description: 'Numbered list', group: 'Lists' },
  { keys: 'Shift-Ctrl-7', description: 'Task list', group: 'Lists' },
  {
    keys: 'Mod-Enter',
    description: 'Check or uncheck the task (elsewhere: line break)',
    group: 'Lists',
  },
  { keys: 'Enter', description: 'New item (in an empty item: end the list)', group: 'Lists' },
  { keys: 'Tab', description: 'Indent the item', group: 'Lists' },
  { keys: 'Shift-Tab', description: 'Outdent the item', group: 'Lists' },
  { keys: 'Mod-]', description: 'Indent the item', group: 'Lists' },
  { keys: 'Mod-[', description: 'Outdent the item', group: 'Lists' },

  { keys: 'Tab', description: 'Next cell (in the last cell: a new row)', group: 'Tables' },
  { keys: 'Shift-Tab', description: 'Previous cell', group: 'Tables' },
] as const satisfies readonly Shortcut[]

/** The keys the shortcuts use, each once. */
export type ShortcutKeys = (typeof shortcuts)[number]['keys']
