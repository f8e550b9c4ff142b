// The document schema: CommonMark-like blocks and marks (prosemirror-schema-basic), lists, task
// lists, tables (prosemirror-tables), images and horizontal rules, strikethrough and underline.
// Shared by the editor and the server's content formats: no DOM, no view code.
import {
  type DOMOutputSpec,
  type MarkSpec,
  type NodeSpec,
  Schema,
  type TagParseRule,
} from 'prosemirror-model'
import { marks as basicMarks, nodes as basicNodes } from 'prosemirror-schema-basic'
import { addListNodes } from 'prosemirror-schema-list'
import { tableNodes } from 'prosemirror-tables'
import { isSafeImageSrc } from './safe-url.js'

// For the server's content formats, which see the editor through this module only.
export { isSafeHref, isSafeImageSrc } from './safe-url.js'

/** Node type names of the editor schema. */
export type EditorNode =
  | 'doc'
  | 'paragraph'
  | 'blockquote'
  | 'horizontal_rule'
  | 'heading'
  | 'code_block'
  | 'text'
  | 'image'
  | 'hard_break'
  | 'ordered_list'
  | 'bullet_list'
  | 'list_item'
  | 'task_list'
  | 'task_item'
  | 'table'
  | 'table_row'
  | 'table_cell'
  | 'table_header'

/** Mark type names of the editor schema. */
export type EditorMark = 'link' | 'em' | 'strong' | 'code' | 'strike' | 'underline'

// An image whose source could run a script is not an image of this schema: reading one (JSON,
// a paste, a peer's update) fails or leaves it out, so no renderer ever meets one.
const image: NodeSpec = {
  ...basicNodes.image,
  attrs: {
    src: {
      validate: (src: unknown) => {
        if (!isSafeImageSrc(src)) throw new RangeError('An image needs a safe source URL')
      },
    },
    alt: { default: null, validate: 'string|null' },
    title: { default: null, validate: 'string|null' },
  },
  parseDOM: [
    {
      tag: 'img[src]',
      getAttrs: (dom) => {
        const src = dom.getAttribute('src')
        if (!isSafeImageSrc(src)) return false
        return { src, title: dom.getAttribute('title'), alt: dom.getAttribute('alt') }
      },
    },
  ],
}

/** The `li` of a task item as HTML shows it: a checkbox before the item's blocks. */
export function taskItemDom(isChecked: boolean): DOMOutputSpec {
  const checkbox: Record<string, string> = { type: 'checkbox', disabled: '', 'aria-label': 'Done' }
  if (isChecked) checkbox.checked = ''
  return [
    'li',
    { 'data-type': 'taskItem', 'data-checked': String(isChecked) },
    ['input', checkbox],
    ['div', 0],
  ]
}

// GitHub's HTML of a task item keeps the state in its checkbox only.
// (The parameter's type is inferred: the server compiles this module without the DOM lib.)
const hasCheckedBox = (li: Parameters<NonNullable<TagParseRule['getAttrs']>>[0]): boolean =>
  li.querySelector('input[type="checkbox"]')?.hasAttribute('checked') ?? false

// Rules outrank the bullet list's `ul` and the list item's `li` (priority 50).
const taskNodes: Record<'task_list' | 'task_item', NodeSpec> = {
  task_list: {
    group: 'block',
    content: 'task_item+',
    parseDOM: [
      { tag: 'ul[data-type="taskList"]', priority: 60 },
      { tag: 'ul.contains-task-list', priority: 60 },
    ],
    toDOM: () => ['ul', { 'data-type': 'taskList' }, 0],
  },
  task_item: {
    attrs: { checked: { default: false, validate: 'boolean' } },
    content: 'paragraph block*',
    defining: true,
    parseDOM: [
      {
        tag: 'li[data-type="taskItem"]',
        priority: 60,
        getAttrs: (dom) => ({ checked: dom.getAttribute('data-checked') === 'true' }),
      },
      {
        tag: 'li.task-list-item',
        priority: 60,
        getAttrs: (dom) => ({ checked: hasCheckedBox(dom) }),
      },
    ],
    toDOM: (node) => taskItemDom(node.attrs.checked === true),
  },
}

const strike: MarkSpec = {
  parseDOM: [
    { tag: 's' },
    { tag: 'del' },
    { tag: 'strike' },
    { style: 'text-decoration', getAttrs: (value) => value.includes('line-through') && null },
  ],
  toDOM: () => ['s', 0],
}

const underline: MarkSpec = {
  parseDOM: [
    { tag: 'u' },
    { style: 'text-decoration', getAttrs: (value) => value.includes('underline') && null },
  ],
  toDOM: () => ['u', 0],
}

// New types go after the existing ones: a schema's first block type is what fills a new
// document, and mark order decides how marks nest.
const basicSpec = new Schema({ nodes: basicNodes, marks: basicMarks }).spec
const nodes = addListNodes(basicSpec.nodes.update('image', image), 'paragraph block*', 'block')
  .append(taskNodes)
  .append(tableNodes({ tableGroup: 'block', cellContent: 'block+', cellAttributes: {} }))

/**
 * Paragraphs, headings 1–6, blockquotes, code blocks, horizontal rules, hard breaks, inline
 * images, bullet, ordered and task lists (task items with a `checked` flag), tables with header
 * cells; marks strong, em, code, link, strike and underline. Every client of one document must
 * use the same schema: y-prosemirror deletes what it rejects.
 */
export const editorSchema = new Schema<EditorNode, EditorMark>({
  nodes,
  marks: basicSpec.marks.append({ strike, underline }),
})
