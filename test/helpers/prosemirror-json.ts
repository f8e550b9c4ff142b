// Builders of ProseMirror JSON for tests of the document content (content/, webhooks/).
import type { ProseMirrorJson } from '../../content/document-content.js'

/** A text node with these marks. */
export const text = (
  value: string,
  ...marks: ProseMirrorJson['marks'] & object
): ProseMirrorJson => ({
  type: 'text',
  text: value,
  ...(marks.length > 0 && { marks }),
})

/** A paragraph of these nodes. */
export const paragraph = (...content: ProseMirrorJson[]): ProseMirrorJson => ({
  type: 'paragraph',
  content,
})

/** A list item of one paragraph of plain text. */
export const listItem = (value: string): ProseMirrorJson => ({
  type: 'list_item',
  content: [paragraph(text(value))],
})

/** A task item of these blocks. */
export const taskItem = (checked: boolean, ...content: ProseMirrorJson[]): ProseMirrorJson => ({
  type: 'task_item',
  attrs: { checked },
  content,
})

const cellAttrs = { colspan: 1, rowspan: 1, colwidth: null }

/** A table cell of these blocks, spanning one column and row. */
export const cell = (...content: ProseMirrorJson[]): ProseMirrorJson => ({
  type: 'table_cell',
  attrs: cellAttrs,
  content,
})

/** A header cell of these blocks, spanning one column and row. */
export const header = (...content: ProseMirrorJson[]): ProseMirrorJson => ({
  type: 'table_header',
  attrs: cellAttrs,
  content,
})

/** A table of these rows of cells. */
export const table = (...rows: ProseMirrorJson[][]): ProseMirrorJson => ({
  type: 'table',
  content: rows.map((cells) => ({ type: 'table_row', content: cells })),
})
