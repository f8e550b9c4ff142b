// Reads plain text as paragraphs: the inverse of documentText for documents of paragraphs.
import type { Node } from 'prosemirror-model'
import { editorSchema } from '../editor/schema.js'

const { doc, paragraph, hard_break: hardBreak } = editorSchema.nodes

/**
 * `body` as paragraphs: text separated by a blank line ("\n\n") is a paragraph of its own, and a
 * single line break in one is a hard break. Every string reads, and renders back as itself (with
 * CRLF and CR read as LF).
 */
export function parseText(body: string): Node {
  return doc.create(null, body.replace(/\r\n?/g, '\n').split('\n\n').map(paragraphOf))
}

function paragraphOf(block: string): Node {
  const content: Node[] = []
  block.split('\n').forEach((line, index) => {
    if (index > 0) content.push(hardBreak.create())
    if (line !== '') content.push(editorSchema.text(line))
  })
  return paragraph.create(null, content)
}
