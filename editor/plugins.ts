// Input rules (Markdown-like shortcuts while typing) and keyboard shortcuts of the editor.
import {
  baseKeymap,
  chainCommands,
  exitCode,
  joinDown,
  joinUp,
  selectParentNode,
} from 'prosemirror-commands'
import {
  InputRule,
  inputRules,
  textblockTypeInputRule,
  undoInputRule,
  wrappingInputRule,
} from 'prosemirror-inputrules'
import { keymap } from 'prosemirror-keymap'
import type { MarkType } from 'prosemirror-model'
import { liftListItem, sinkListItem, splitListItem } from 'prosemirror-schema-list'
import type { Command, Plugin } from 'prosemirror-state'
import {
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

const { nodes, marks } = editorSchema

/**
 * `**bold**`-style rule: the text in capture group 1, between delimiters of `delimiterLength`
 * characters, gets the mark and the delimiters go. The match may begin with one character of
 * context before the opening delimiter, which stays.
 */
function markRule(pattern: RegExp, type: MarkType, delimiterLength: number): InputRule {
  return new InputRule(pattern, (state, match, start, end) => {
    const [whole, text] = match
    if (whole === undefined || !text) return null
    const textStart = start + whole.lastIndexOf(text)
    const textEnd = textStart + text.length
    const markStart = textStart - delimiterLength
    return state.tr
      .delete(textEnd, end)
      .delete(markStart, textStart)
      .addMark(markStart, markStart + text.length, type.create())
      .removeStoredMark(type)
  })
}

/** Markdown-like input rules: `# ` headings, `> ` quotes, `- ` / `1. ` lists, fences, marks. */
export function buildInputRules(): Plugin {
  return inputRules({
    rules: [
      textblockTypeInputRule(/^(#{1,6})\s$/, nodes.heading, (match) => ({
        level: match[1]?.length ?? 1,
      })),
      wrappingInputRule(/^\s*>\s$/, nodes.blockquote),
      wrappingInputRule(/^\s*([-+*])\s$/, nodes.bullet_list),
      wrappingInputRule(
        /^(\d+)\.\s$/,
        nodes.ordered_list,
        (match) => ({ order: Number(match[1]) }),
        (match, node) => node.childCount + Number(node.attrs.order) === Number(match[1]),
      ),
      textblockTypeInputRule(/^```$/, nodes.code_block),
      markRule(/\*\*([^*]+)\*\*$/, marks.strong, 2),
      markRule(/(?:^|[^*])\*([^*]+)\*$/, marks.em, 1),
      markRule(/`([^`]+)`$/, marks.code, 1),
    ],
  })
}

const insertHardBreak: Command = chainCommands(exitCode, (state, dispatch) => {
  dispatch?.(state.tr.replaceSelectionWith(nodes.hard_break.create()).scrollIntoView())
  return true
})

/**
 * Keyboard shortcuts: Mod-z / Mod-y / Mod-Shift-z undo and redo (own changes only), Mod-b,
 * Mod-i, Mod-` and Mod-k for marks, Shift-Ctrl-0…6 and Shift-Ctrl-\ for block types,
 * Shift-Ctrl-8 / -9 for lists, Ctrl-> for quotes, Shift-Enter for a hard break, then the base
 * keymap (Enter, Backspace, arrows…).
 */
export function buildKeymaps(): Plugin[] {
  const bindings: Record<string, Command> = {
    'Mod-z': undo,
    'Mod-y': redo,
    'Mod-Shift-z': redo,
    Backspace: undoInputRule,
    'Alt-ArrowUp': joinUp,
    'Alt-ArrowDown': joinDown,
    Escape: selectParentNode,
    'Mod-b': toggleStrong,
    'Mod-B': toggleStrong,
    'Mod-i': toggleEm,
    'Mod-I': toggleEm,
    'Mod-`': toggleCode,
    'Mod-k': toggleLink,
    'Shift-Ctrl-8': wrapInBulletList,
    'Shift-Ctrl-9': wrapInOrderedList,
    'Ctrl->': wrapInBlockquote,
    'Mod-Enter': insertHardBreak,
    'Shift-Enter': insertHardBreak,
    Enter: splitListItem(nodes.list_item),
    'Mod-[': liftListItem(nodes.list_item),
    'Mod-]': sinkListItem(nodes.list_item),
    'Shift-Ctrl-0': makeParagraph,
    'Shift-Ctrl-\\': makeCodeBlock,
  }
  for (let level = 1; level <= 6; level++) bindings[`Shift-Ctrl-${level}`] = makeHeading(level)
  return [keymap(bindings), keymap(baseKeymap)]
}
