// Editing commands shared by the keyboard shortcuts and the toolbar.
import { setBlockType, toggleMark, wrapIn } from 'prosemirror-commands'
import type { MarkType } from 'prosemirror-model'
import type { Command, EditorState } from 'prosemirror-state'
import { wrapInList } from 'prosemirror-schema-list'
import { redoCommand, undoCommand } from 'y-prosemirror'
import { editorSchema } from './schema.js'

const { nodes, marks } = editorSchema

/** Undo and redo through the Yjs UndoManager: only this client's own changes are undone. */
export const undo: Command = undoCommand
/** Redoes what `undo` undid. */
export const redo: Command = redoCommand

/** Toggles bold. */
export const toggleStrong: Command = toggleMark(marks.strong)
/** Toggles italic. */
export const toggleEm: Command = toggleMark(marks.em)
/** Toggles inline code. */
export const toggleCode: Command = toggleMark(marks.code)

/** Makes the selected blocks paragraphs. */
export const makeParagraph: Command = setBlockType(nodes.paragraph)
/** Makes the selected blocks headings of this level (1–6). */
export const makeHeading = (level: number): Command => setBlockType(nodes.heading, { level })
/** Makes the selected blocks a code block. */
export const makeCodeBlock: Command = setBlockType(nodes.code_block)
/** Wraps the selection in a blockquote. */
export const wrapInBlockquote: Command = wrapIn(nodes.blockquote)
/** Wraps the selection in a bullet list. */
export const wrapInBulletList: Command = wrapInList(nodes.bullet_list)
/** Wraps the selection in an ordered list. */
export const wrapInOrderedList: Command = wrapInList(nodes.ordered_list)

/** Whether the selection (or the stored marks at the caret) carries this mark. */
export function isMarkActive(state: EditorState, type: MarkType): boolean {
  const { from, $from, to, empty } = state.selection
  if (empty) return type.isInSet(state.storedMarks ?? $from.marks()) !== undefined
  return state.doc.rangeHasMark(from, to, type)
}

/**
 * Removes the link from the selection, or asks for an address and links the selection to it.
 * Needs a non-empty selection to add a link.
 */
export const toggleLink: Command = (state, dispatch) => {
  const type = marks.link
  if (isMarkActive(state, type)) return toggleMark(type)(state, dispatch)
  if (state.selection.empty) return false
  if (!dispatch) return true
  const href = window.prompt('Link address', 'https://')?.trim()
  if (!href) return false
  return toggleMark(type, { href })(state, dispatch)
}
