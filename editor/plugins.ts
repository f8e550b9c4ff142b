// Input rules (Markdown-like shortcuts while typing), keyboard shortcuts, and the plugins of the
// blocks beyond CommonMark: tables, task items, pasted image URLs.
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
import { Fragment, type MarkType, type NodeType } from 'prosemirror-model'
import { liftListItem, sinkListItem, splitListItem } from 'prosemirror-schema-list'
import { type Command, type Plugin, TextSelection } from 'prosemirror-state'
import { canJoin, findWrapping } from 'prosemirror-transform'
import { columnResizing, goToNextCell, tableEditing } from 'prosemirror-tables'
import {
  addRowAfter,
  isInTable,
  makeCodeBlock,
  makeHeading,
  makeParagraph,
  redo,
  toggleCode,
  toggleEm,
  toggleStrike,
  toggleStrong,
  toggleTaskItemChecked,
  toggleUnderline,
  undo,
  wrapInBlockquote,
  wrapInBulletList,
  wrapInOrderedList,
  wrapInTaskList,
} from './commands.js'
import { imagePastePlugin } from './image-paste.js'
import { editorSchema } from './schema.js'
import type { ShortcutKeys } from './shortcut-list.js'
import { taskItemPlugin } from './task-item-view.js'

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

/**
 * `[ ] ` or `[x] ` (after `- ` too) at the start of a paragraph: the paragraph becomes a task
 * item, unchecked or checked, joining a task list just above. In the only item of a bullet list
 * (`- ` has made one already), that list becomes the task list.
 */
const taskListRule = new InputRule(
  /^\s*(?:[-+*]\s)?\[([ xX]?)\]\s$/,
  (state, match, start, end) => {
    const checked = match[1]?.toLowerCase() === 'x'
    const tr = state.tr.delete(start, end)
    const $start = tr.doc.resolve(start)
    const isOnlyBulletItem =
      $start.depth >= 3 &&
      $start.index(-1) === 0 &&
      $start.node(-1).type === nodes.list_item &&
      $start.node(-2).type === nodes.bullet_list &&
      $start.node(-2).childCount === 1
    if (isOnlyBulletItem) {
      const item = nodes.task_item.create({ checked }, $start.node(-1).content)
      const listPos = $start.before(-2)
      tr.replaceWith(listPos, $start.after(-2), nodes.task_list.create(null, item))
      return tr.setSelection(TextSelection.create(tr.doc, start))
    }
    const range = $start.blockRange()
    const wrapping = range && findWrapping(range, nodes.task_list)
    if (!range || !wrapping) return null
    tr.wrap(
      range,
      wrapping.map((wrapper) =>
        wrapper.type === nodes.task_item ? { type: wrapper.type, attrs: { checked } } : wrapper,
      ),
    )
    const before = tr.doc.resolve(start - 1).nodeBefore
    if (before?.type === nodes.task_list && canJoin(tr.doc, start - 1)) tr.join(start - 1)
    return tr
  },
)

/**
 * `---` (or `—-`, as smart dashes write it) alone at the start of a paragraph: a horizontal rule
 * in its place, and the caret in a paragraph below with what followed the dashes.
 */
const horizontalRuleRule = new InputRule(/^(?:---|—-)$/, (state, _match, start, end) => {
  const $start = state.doc.resolve(start)
  const paragraph = $start.parent
  if (paragraph.type !== nodes.paragraph) return null
  const rest = nodes.paragraph.create(null, paragraph.content.cut(end - $start.start()))
  const blocks = Fragment.from([nodes.horizontal_rule.create(), rest])
  const index = $start.index(-1)
  if (!$start.node(-1).canReplace(index, index + 1, blocks)) return null
  const from = $start.before()
  const tr = state.tr.replaceWith(from, $start.after(), blocks)
  return tr.setSelection(TextSelection.create(tr.doc, from + 2))
})

/**
 * Markdown-like input rules: `# ` headings, `> ` quotes, `- ` / `1. ` / `[ ] ` lists, `---`
 * rules, fences, `**bold**`, `*italic*`, `` `code` ``, `~~strikethrough~~`.
 */
export function buildInputRules(): Plugin {
  return inputRules({
    rules: [
      textblockTypeInputRule(/^(#{1,6})\s$/, nodes.heading, (match) => ({
        level: match[1]?.length ?? 1,
      })),
      wrappingInputRule(/^\s*>\s$/, nodes.blockquote),
      taskListRule,
      wrappingInputRule(/^\s*([-+*])\s$/, nodes.bullet_list),
      wrappingInputRule(
        /^(\d+)\.\s$/,
        nodes.ordered_list,
        (match) => ({ order: Number(match[1]) }),
        (match, node) => node.childCount + Number(node.attrs.order) === Number(match[1]),
      ),
      textblockTypeInputRule(/^```$/, nodes.code_block),
      horizontalRuleRule,
      markRule(/\*\*([^*]+)\*\*$/, marks.strong, 2),
      markRule(/(?:^|[^*])\*([^*]+)\*$/, marks.em, 1),
      markRule(/`([^`]+)`$/, marks.code, 1),
      markRule(/~~([^~]+)~~$/, marks.strike, 2),
    ],
  })
}

const insertHardBreak: Command = chainCommands(exitCode, (state, dispatch) => {
  dispatch?.(state.tr.replaceSelectionWith(nodes.hard_break.create()).scrollIntoView())
  return true
})

const listItemTypes: readonly NodeType[] = [nodes.list_item, nodes.task_item]

// In a list, Tab and Shift-Tab stay in the editor even where the item cannot move: the caret
// does not jump out of the document halfway through a list.
const isInListItem: Command = (state) => {
  const { $from } = state.selection
  for (let depth = $from.depth; depth > 0; depth--)
    if (listItemTypes.includes($from.node(depth).type)) return true
  return false
}

const indentListItem: Command = sinkListItem(listItemTypes)
const outdentListItem: Command = liftListItem(listItemTypes)

// A new task item is unchecked, also when the caret splits a checked one in the middle.
const splitTaskItem: Command = (state, dispatch) =>
  splitListItem(nodes.task_item, { checked: false })(
    state,
    dispatch &&
      ((tr) => {
        const { $from } = tr.selection
        for (let depth = $from.depth; depth > 0; depth--)
          if ($from.node(depth).type === nodes.task_item) {
            if ($from.node(depth).attrs.checked === true)
              tr.setNodeAttribute($from.before(depth), 'checked', false)
            break
          }
        dispatch(tr)
      }),
  )

// Tab in a table's last cell adds a row and moves into it.
const goToNextCellOrAddRow: Command = chainCommands(goToNextCell(1), (state, dispatch) => {
  if (!isInTable(state)) return false
  if (!dispatch) return true
  return addRowAfter(state, (tr) => {
    const next = state.apply(tr)
    goToNextCell(1)(next, (move) => tr.setSelection(move.selection))
    dispatch(tr.scrollIntoView())
  })
})

/**
 * What each key of `shortcut-list.ts` does (the list says it in words); the type holds the two
 * to the same keys.
 */
function shortcutCommands(): Record<ShortcutKeys, Command> {
  return {
    'Mod-z': undo,
    'Mod-Shift-z': redo,
    'Mod-y': redo,
    Backspace: undoInputRule,
    'Mod-b': toggleStrong,
    'Mod-i': toggleEm,
    'Mod-u': toggleUnderline,
    'Mod-Shift-s': toggleStrike,
    'Mod-`': toggleCode,
    'Shift-Enter': insertHardBreak,
    'Shift-Ctrl-0': makeParagraph,
    'Shift-Ctrl-1': makeHeading(1),
    'Shift-Ctrl-2': makeHeading(2),
    'Shift-Ctrl-3': makeHeading(3),
    'Shift-Ctrl-4': makeHeading(4),
    'Shift-Ctrl-5': makeHeading(5),
    'Shift-Ctrl-6': makeHeading(6),
    'Shift-Ctrl-\\': makeCodeBlock,
    'Ctrl->': wrapInBlockquote,
    'Alt-ArrowUp': joinUp,
    'Alt-ArrowDown': joinDown,
    Escape: selectParentNode,
    'Shift-Ctrl-8': wrapInBulletList,
    'Shift-Ctrl-9': wrapInOrderedList,
    'Shift-Ctrl-7': wrapInTaskList,
    'Mod-Enter': chainCommands(toggleTaskItemChecked, insertHardBreak),
    Enter: chainCommands(splitListItem(nodes.list_item), splitTaskItem),
    Tab: chainCommands(goToNextCellOrAddRow, indentListItem, isInListItem),
    'Shift-Tab': chainCommands(goToNextCell(-1), outdentListItem, isInListItem),
    'Mod-]': indentListItem,
    'Mod-[': outdentListItem,
  }
}

/**
 * Keyboard shortcuts, as `shortcut-list.ts` lists them: Mod-z / Mod-y / Mod-Shift-z undo and
 * redo (own changes only); Mod-b, Mod-i, Mod-u, Mod-Shift-s (strikethrough) and Mod-` for
 * marks; Shift-Ctrl-0…6 and Shift-Ctrl-\ for block types, Ctrl-> for quotes; Shift-Ctrl-7 / -8 /
 * -9 for task, bullet and numbered lists; Enter splits list and task items, Tab / Shift-Tab
 * (and Mod-] / Mod-[) indent and outdent them, and move between table cells; Mod-Enter checks
 * the task item at the caret (elsewhere a hard break, as Shift-Enter); then the base keymap
 * (Enter, Backspace, arrows…). Mod-k is left to the link popover.
 */
export function buildKeymaps(): Plugin[] {
  // Mod-B and Mod-I: with Caps Lock on.
  const aliases: Record<string, Command> = { 'Mod-B': toggleStrong, 'Mod-I': toggleEm }
  return [keymap({ ...shortcutCommands(), ...aliases }), keymap(baseKeymap)]
}

/**
 * The plugins of tables (cell selection, column resizing), task items (their checkbox node
 * view) and images (a pasted image URL inserts the image). Before the keymaps, so that a table's
 * own keys (arrows and Backspace over a cell selection) win.
 */
export function buildBlockPlugins(): Plugin[] {
  return [columnResizing(), tableEditing(), imagePastePlugin(), taskItemPlugin()]
}
