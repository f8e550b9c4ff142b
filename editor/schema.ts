// The document schema: CommonMark-like blocks and marks (prosemirror-schema-basic) plus lists.
// Images and horizontal rules are left out: the editor has no way to insert them.
import { Schema } from 'prosemirror-model'
import { marks, nodes } from 'prosemirror-schema-basic'
import { addListNodes } from 'prosemirror-schema-list'

const blockNodes = new Schema({ nodes, marks }).spec.nodes.remove('image').remove('horizontal_rule')

/** Node type names of the editor schema. */
export type EditorNode =
  | 'doc'
  | 'paragraph'
  | 'blockquote'
  | 'heading'
  | 'code_block'
  | 'text'
  | 'hard_break'
  | 'ordered_list'
  | 'bullet_list'
  | 'list_item'

/** Mark type names of the editor schema. */
export type EditorMark = 'link' | 'em' | 'strong' | 'code'

/**
 * Paragraphs, headings 1–6, blockquotes, code blocks, hard breaks, bullet and ordered lists;
 * marks strong, em, code and link. Every client of one document must use the same schema.
 */
export const editorSchema = new Schema<EditorNode, EditorMark>({
  nodes: addListNodes(blockNodes, 'paragraph block*', 'block'),
  marks,
})
