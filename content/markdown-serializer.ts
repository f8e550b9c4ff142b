// Writes a document of the editor schema as CommonMark with GFM's tables, strikethrough and task
// lists: prosemirror-markdown's default serializer plus the schema's other nodes and marks. What
// markdown-parser.ts reads back.
import { defaultMarkdownSerializer, MarkdownSerializer } from 'prosemirror-markdown'
import type { Node } from 'prosemirror-model'
import { TableMap } from 'prosemirror-tables'

const { nodes: defaultNodes, marks: defaultMarks } = defaultMarkdownSerializer
type NodeSerializer = (typeof defaultNodes)[string]

// Text that would read as one of the tags markdown-parser.ts reads (`<u>`, `</u>`, `<br>`) is
// escaped (`\<u>`), as the default serializer escapes `*` or `_`.
const tagLikeText = /<(?=\/?u>|br\s*\/?>)/gi

const marks = {
  ...defaultMarks,
  strike: { open: '~~', close: '~~', mixable: true, expelEnclosingWhitespace: true },
  // Markdown has no underline: inline HTML, as Typora and Obsidian write it, which GitHub
  // renders and markdown-parser.ts reads.
  underline: { open: '<u>', close: '</u>', mixable: true, expelEnclosingWhitespace: true },
}

// An image whose source has spaces or brackets gets the `<…>` form of a link destination.
const image: NodeSerializer = (state, node) => {
  const { src, alt, title } = node.attrs as {
    src: string
    alt: string | null
    title: string | null
  }
  const destination = /[\s<>()]/.test(src) ? `<${src.replace(/[<>]/g, encodeURIComponent)}>` : src
  const titlePart = title ? ` "${title.replace(/"/g, '\\"')}"` : ''
  state.write(`![${state.esc(alt ?? '')}](${destination}${titlePart})`)
}

// A task list is a bullet list (with `-`, which keeps it apart from a bullet list's `*` next to
// it) whose items open with `[ ] ` or `[x] `.
const taskList: NodeSerializer = (state, node) => state.renderList(node, '  ', () => '- ')
const taskItem: NodeSerializer = (state, node) => {
  state.write(node.attrs.checked === true ? '[x] ' : '[ ] ')
  state.renderContent(node)
}

// Inside a cell, a line break is `<br>` (a table row is one line), and a `|` is escaped.
const cellSerializer = new MarkdownSerializer(
  { ...defaultNodes, image, hard_break: (state) => state.write('<br>') },
  marks,
  { escapeExtraCharacters: tagLikeText },
)

/** The inline Markdown of a cell: its textblocks, anywhere in it, joined by `<br>`. */
function cellMarkdown(cell: Node): string {
  const { doc, paragraph } = cell.type.schema.nodes
  const lines: string[] = []
  cell.descendants((node) => {
    if (!node.isTextblock) return true
    const line = doc!.create(null, paragraph!.create(null, node.content))
    lines.push(cellSerializer.serialize(line).trim().replace(/\|/g, '\\|'))
    return false
  })
  return lines.join('<br>')
}

// A GFM table: the first row is the header row (GFM has no table without one), a cell that spans
// several columns or rows is written in its first and empty in the others.
const table: NodeSerializer = (state, node) => {
  const map = TableMap.get(node)
  const written = new Set<number>()
  const row = (index: number): string => {
    const cells = map.map.slice(index * map.width, (index + 1) * map.width).map((pos) => {
      if (written.has(pos)) return ''
      written.add(pos)
      return cellMarkdown(node.nodeAt(pos)!)
    })
    return `| ${cells.join(' | ')} |`
  }
  const lines = [row(0), `|${' --- |'.repeat(map.width)}`]
  for (let index = 1; index < map.height; index++) lines.push(row(index))
  for (const [index, line] of lines.entries()) {
    if (index > 0) state.ensureNewLine()
    state.write(line)
  }
  state.closeBlock(node)
}

const serializer = new MarkdownSerializer(
  {
    ...defaultNodes,
    image,
    task_list: taskList,
    task_item: taskItem,
    table,
    // Rendered by `table`.
    table_row: () => undefined,
    table_cell: () => undefined,
    table_header: () => undefined,
  },
  marks,
  { escapeExtraCharacters: tagLikeText },
)

/** `node` as Markdown, with tight lists. */
export function markdownOf(node: Node): string {
  return serializer.serialize(node, { tightLists: true })
}
