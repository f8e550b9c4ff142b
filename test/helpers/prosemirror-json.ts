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
