// Editing commands shared by the keyboard shortcuts, the input rules and the toolbar.
import { setBlockType, toggleMark, wrapIn } from 'prosemirror-commands'
import type { Mark, MarkType, Node, ResolvedPos } from 'prosemirror-model'
import {
  type Command,
  type EditorState,
  Selection,
  TextSelection,
  type Transaction,
} from 'prosemirror-state'
import { liftListItem, wrapInList } from 'prosemirror-schema-list'
import { tableNodeTypes } from 'prosemirror-tables'
import { redoCommand, undoCommand } from 'y-prosemirror'
import { isSafeHref } from './safe-url.js'
import { editorSchema } from './schema.js'

export {
  addColumnAfter,
  addRowAfter,
  deleteColumn,
  deleteRow,
  deleteTable,
  isInTable,
} from 'prosemirror-tables'

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
/** Toggles strikethrough. */
export const toggleStrike: Command = toggleMark(marks.strike)
/** Toggles underline. */
export const toggleUnderline: Command = toggleMark(marks.underline)

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

/** The depth of the innermost ancestor of `$pos` of one of `types`, or -1. */
function ancestorDepth($pos: ResolvedPos, types: readonly unknown[]): number {
  for (let depth = $pos.depth; depth > 0; depth--)
    if (types.includes($pos.node(depth).type)) return depth
  return -1
}

// A bullet or ordered list becomes a task list in place, its items unchecked task items. The
// content keeps its size, so the selection keeps its positions.
function convertToTaskList(state: EditorState, listPos: number, list: Node): Transaction {
  const items: Node[] = []
  list.forEach((item) => items.push(nodes.task_item.create({ checked: false }, item.content)))
  const tr = state.tr.replaceWith(
    listPos,
    listPos + list.nodeSize,
    nodes.task_list.create(null, items),
  )
  return tr.setSelection(Selection.fromJSON(tr.doc, state.selection.toJSON()))
}

/**
 * The task list button: lifts the selected items out of a task list; turns the bullet or ordered
 * list around the selection into a task list; otherwise wraps the selected blocks in one.
 */
export const wrapInTaskList: Command = (state, dispatch) => {
  const { $from } = state.selection
  const listDepth = ancestorDepth($from, [nodes.task_list, nodes.bullet_list, nodes.ordered_list])
  if (listDepth < 0) return wrapInList(nodes.task_list)(state, dispatch)
  const list = $from.node(listDepth)
  if (list.type === nodes.task_list) return liftListItem(nodes.task_item)(state, dispatch)
  dispatch?.(convertToTaskList(state, $from.before(listDepth), list).scrollIntoView())
  return true
}

/** Whether the selection is in a task list. */
export function isInTaskList(state: EditorState): boolean {
  return ancestorDepth(state.selection.$from, [nodes.task_item]) >= 0
}

/** Checks or unchecks the task item at the caret (the innermost one). */
export const toggleTaskItemChecked: Command = (state, dispatch) => {
  const { $from } = state.selection
  const depth = ancestorDepth($from, [nodes.task_item])
  if (depth < 0) return false
  const isChecked = $from.node(depth).attrs.checked === true
  dispatch?.(state.tr.setNodeAttribute($from.before(depth), 'checked', !isChecked))
  return true
}

// Puts `block` in place of the selection (after the textblock the caret is in, when that is
// whole); when nothing follows it there, an empty paragraph after it keeps the document
// typeable below it. The caret goes `caretOffset` into the block, or below it when null.
function insertBlock(block: Node, caretOffset: number | null): Command {
  return (state, dispatch) => {
    const { $from, from, to } = state.selection
    const depth = $from.parent.isTextblock ? $from.depth - 1 : $from.depth
    const index = $from.indexAfter(depth)
    if (!$from.node(depth).canReplaceWith(index, index, block.type)) return false
    if (!dispatch) return true
    const tr = state.tr.replaceSelectionWith(block)
    let blockPos = -1
    tr.doc.nodesBetween(tr.mapping.map(from, -1), tr.mapping.map(to, 1), (node, pos) => {
      if (node === block) blockPos = pos
      return blockPos < 0
    })
    if (blockPos < 0) return false
    const afterPos = blockPos + block.nodeSize
    if (!tr.doc.resolve(afterPos).nodeAfter) tr.insert(afterPos, nodes.paragraph.create())
    const caret = caretOffset === null ? afterPos + 1 : blockPos + caretOffset
    dispatch(tr.setSelection(TextSelection.near(tr.doc.resolve(caret))).scrollIntoView())
    return true
  }
}

/** Inserts a horizontal rule in place of the selection; the caret goes below it. */
export const insertHorizontalRule: Command = (state, dispatch) =>
  insertBlock(nodes.horizontal_rule.create(), null)(state, dispatch)

/**
 * Inserts an empty table of `rows` rows (counting the header row) and `columns` columns, and puts
 * the caret in its first cell.
 */
export function insertTable(rows = 3, columns = 3, withHeaderRow = true): Command {
  const types = tableNodeTypes(editorSchema)
  const row = (cellType: typeof types.cell): Node =>
    types.row.create(
      null,
      Array.from({ length: columns }, () => cellType.createAndFill()!),
    )
  const table = types.table.create(
    null,
    Array.from({ length: Math.max(1, rows) }, (_, index) =>
      row(index === 0 && withHeaderRow ? types.header_cell : types.cell),
    ),
  )
  // Into the table, its first row, its first cell and that cell's paragraph.
  return insertBlock(table, 4)
}

const imageUrlPattern = /\.(?:png|jpe?g|gif|webp|svg|avif)$/i

/** Whether `text` is one http(s) URL of an image (by its file name: .png, .jpg, .svg…). */
export function isImageUrl(text: string): boolean {
  const url = parseUrl(text.trim())
  return url !== null && isWebUrl(url) && imageUrlPattern.test(url.pathname)
}

function parseUrl(text: string): URL | null {
  if (/\s/.test(text)) return null
  try {
    return new URL(text)
  } catch {
    return null
  }
}

const isWebUrl = (url: URL): boolean => url.protocol === 'http:' || url.protocol === 'https:'

/**
 * Inserts an image in place of the selection. Only http(s) and `data:image/…` sources: refuses
 * (false) any other, and a place where an image cannot go (a code block).
 */
export function insertImage(src: string, alt?: string): Command {
  return (state, dispatch) => {
    const source = src.trim()
    const url = parseUrl(source)
    const isAllowed = url !== null && (isWebUrl(url) || /^data:image\//i.test(source))
    if (!isAllowed) return false
    const image = nodes.image.create({ src: source, alt: alt?.trim() || null })
    const { $from } = state.selection
    if (!$from.parent.canReplaceWith($from.index(), $from.indexAfter(), nodes.image)) return false
    dispatch?.(state.tr.replaceSelectionWith(image).scrollIntoView())
    return true
  }
}

/** Whether the selection (or the stored marks at the caret) carries this mark. */
export function isMarkActive(state: EditorState, type: MarkType): boolean {
  const { from, $from, to, empty } = state.selection
  if (empty) return type.isInSet(state.storedMarks ?? $from.marks()) !== undefined
  return state.doc.rangeHasMark(from, to, type)
}

/** A link in the document: the range its mark covers and its address. */
export interface LinkRange {
  readonly from: number
  readonly to: number
  readonly href: string
}

// The range of the link mark on the text at `$pos` (after it, else before it), or null.
function linkRangeAt($pos: ResolvedPos): { from: number; to: number; mark: Mark } | null {
  const { parent } = $pos
  const start = $pos.start()
  const mark =
    marks.link.isInSet($pos.nodeAfter?.marks ?? []) ??
    marks.link.isInSet($pos.nodeBefore?.marks ?? [])
  if (!mark) return null
  // The parent's children as ranges; the link is the run of neighbours carrying the same mark.
  const children: Array<{ from: number; to: number; isLinked: boolean }> = []
  parent.forEach((child, offset) => {
    const from = start + offset
    children.push({ from, to: from + child.nodeSize, isLinked: mark.isInSet(child.marks) })
  })
  const at = children.findIndex(
    (child) => child.isLinked && child.from <= $pos.pos && $pos.pos <= child.to,
  )
  if (at < 0) return null
  let first = at
  let last = at
  while (children[first - 1]?.isLinked) first--
  while (children[last + 1]?.isLinked) last++
  return { from: children[first]!.from, to: children[last]!.to, mark }
}

/**
 * The link at the caret, or the link that holds the whole selection: its range and address.
 * Null when there is none (a selection reaching past a link's ends has none).
 */
export function linkAround(state: EditorState): LinkRange | null {
  const { $from, to } = state.selection
  const range = linkRangeAt($from)
  if (!range || range.to < to) return null
  return { from: range.from, to: range.to, href: String(range.mark.attrs.href) }
}

// An address without a scheme (`example.com/page`) is a web address; `/path`, `#id` and
// `?query` stay relative.
function normalizedHref(href: string): string {
  const trimmed = href.trim()
  if (/^[a-z][a-z\d+.-]*:/i.test(trimmed) || /^[/#?]/.test(trimmed)) return trimmed
  return `https://${trimmed}`
}

/**
 * Links the selection to `href`, replacing any link on it; with an empty selection, changes the
 * address of the whole link at the caret, or inserts `href` as linked text. An address without
 * a scheme gets `https://`. Refuses (false) an empty address and a script (`javascript:`…).
 */
export function setLink(href: string): Command {
  return (state, dispatch) => {
    const address = href.trim() === '' ? '' : normalizedHref(href)
    if (address === '' || !isSafeHref(address)) return false
    const mark = marks.link.create({ href: address })
    const { empty, from, to } = state.selection
    const range = empty ? linkAround(state) : { from, to }
    if (!dispatch) return true
    const tr = state.tr
    if (range) tr.removeMark(range.from, range.to, marks.link).addMark(range.from, range.to, mark)
    else tr.insert(from, editorSchema.text(address, [mark]))
    dispatch(tr.scrollIntoView())
    return true
  }
}

/** Removes the link from the selection, or the whole link at the caret. False when none. */
export const removeLink: Command = (state, dispatch) => {
  const { empty, from, to } = state.selection
  const range = empty ? linkAround(state) : { from, to }
  if (!range || !state.doc.rangeHasMark(range.from, range.to, marks.link)) return false
  dispatch?.(state.tr.removeMark(range.from, range.to, marks.link).scrollIntoView())
  return true
}
