// A document's content outside the editor: the editor's Y.Doc (its XmlFragment, as y-prosemirror
// writes it) read as a ProseMirror node, and that node as ProseMirror JSON, plain text or
// Markdown. No DOM and nothing of the server: webhooks, and later the content API, build on it.
import type { Attrs, Node } from 'prosemirror-model'
import * as Y from 'yjs'
import { editorSchema } from '../editor/schema.js'
import { markdownOf } from './markdown-serializer.js'

/** The XmlFragment of a Y.Doc that holds the editor's document. */
export const documentFragmentName = 'prosemirror'

/** The formats content can be rendered in (the values of --webhook-content). */
export const contentFormats = ['text', 'json', 'markdown'] as const
export type ContentFormat = (typeof contentFormats)[number]

/** A ProseMirror node as `Node.toJSON` writes it and `Node.fromJSON` reads it. */
export interface ProseMirrorJson {
  readonly type: string
  readonly attrs?: Readonly<Record<string, unknown>>
  readonly content?: readonly ProseMirrorJson[]
  readonly marks?: ReadonlyArray<{ readonly type: string; readonly attrs?: object }>
  readonly text?: string
}

/** What `renderContent` gives for each format. */
export interface RenderedContent {
  readonly text: string
  readonly json: ProseMirrorJson
  readonly markdown: string
}

/**
 * The editor's document in `doc` as a node of `editorSchema`; an empty document is one empty
 * paragraph, as the editor shows it. Elements and texts the schema rejects are left out, as the
 * editor leaves them out. `doc` is never changed.
 */
export function documentNode(doc: Y.Doc): Node {
  const children = nodesOf(doc.getXmlFragment(documentFragmentName))
  return (
    editorSchema.topNodeType.createAndFill(null, children) ??
    editorSchema.topNodeType.createAndFill()!
  )
}

// Reads what y-prosemirror writes (ySyncPlugin's createNodeFromYElement and
// createTextNodesFromYText) without its repairs: y-prosemirror deletes from the Y.Doc what the
// schema rejects, a change on the server's document that nobody would store or relay, and
// reading a copy instead costs a whole encode and decode per rendering.
function nodesOf(parent: Y.XmlFragment | Y.XmlElement): Node[] {
  const nodes: Node[] = []
  for (const child of parent.toArray()) {
    if (child instanceof Y.XmlElement) {
      const node = elementNode(child)
      if (node) nodes.push(node)
    } else if (child instanceof Y.XmlText) {
      nodes.push(...textNodes(child))
    }
  }
  return nodes
}

function elementNode(element: Y.XmlElement): Node | null {
  try {
    const node = editorSchema.node(element.nodeName, element.getAttributes(), nodesOf(element))
    node.check()
    return node
  } catch {
    return null
  }
}

// y-prosemirror stores a mark that may overlap itself under its name and a hash (`name--hash`).
const hashedMarkName = /(.*)(--[a-zA-Z0-9+/=]{8})$/

function textNodes(text: Y.XmlText): Node[] {
  const deltas = text.toDelta() as Array<{ insert: unknown; attributes?: Record<string, unknown> }>
  try {
    return deltas
      .filter((delta) => typeof delta.insert === 'string' && delta.insert !== '')
      .map((delta) =>
        editorSchema.text(
          delta.insert as string,
          Object.entries(delta.attributes ?? {}).map(([name, attrs]) =>
            editorSchema.mark(hashedMarkName.exec(name)?.[1] ?? name, attrs as Attrs),
          ),
        ),
      )
  } catch {
    return []
  }
}

/** The document as ProseMirror JSON: what `Node.fromJSON(editorSchema, json)` reads back. */
export function documentJson(doc: Y.Doc): ProseMirrorJson {
  return jsonOf(documentNode(doc))
}

/**
 * The document as plain text, without markup: blocks separated by a blank line, list items and
 * the blocks inside one on lines of their own, a hard break as a line break. A task item opens
 * with `[ ]` or `[x]`, a table row is a line with a tab between cells, a horizontal rule is
 * `---` and an image its alt text.
 */
export function documentText(doc: Y.Doc): string {
  return textOf(documentNode(doc))
}

/**
 * The document as CommonMark with GFM's tables, strikethrough and task lists (markdown-serializer.ts),
 * with tight lists.
 */
export function documentMarkdown(doc: Y.Doc): string {
  return markdownOf(documentNode(doc))
}

/** The document rendered in `format`: a string for text and markdown, an object for json. */
export function renderContent<Format extends ContentFormat>(
  doc: Y.Doc,
  format: Format,
): RenderedContent[Format] {
  const node = documentNode(doc)
  const rendered: { readonly [Key in ContentFormat]: () => RenderedContent[Key] } = {
    text: () => textOf(node),
    json: () => jsonOf(node),
    markdown: () => markdownOf(node),
  }
  return rendered[format]()
}

function jsonOf(node: Node): ProseMirrorJson {
  return node.toJSON() as ProseMirrorJson
}

const { nodes } = editorSchema

// Lists read best with one item per line, and tables with one row per line and a tab between
// cells; everywhere else blocks are paragraphs of prose.
const blockSeparators = new Map([
  [nodes.bullet_list, '\n'],
  [nodes.ordered_list, '\n'],
  [nodes.list_item, '\n'],
  [nodes.task_list, '\n'],
  [nodes.task_item, '\n'],
  [nodes.table, '\n'],
  [nodes.table_row, '\t'],
  [nodes.table_cell, ' '],
  [nodes.table_header, ' '],
])

// A hard break is a line break, an image its alt text.
const leafText = (leaf: Node): string =>
  leaf.type === nodes.hard_break ? '\n' : String(leaf.attrs.alt ?? '')

function textOf(node: Node): string {
  if (node.isTextblock) return node.textBetween(0, node.content.size, '', leafText)
  if (node.type === nodes.horizontal_rule) return '---'
  const blocks: string[] = []
  node.forEach((child) => blocks.push(textOf(child)))
  const text = blocks.join(blockSeparators.get(node.type) ?? '\n\n')
  if (node.type === nodes.task_item) return `${node.attrs.checked === true ? '[x]' : '[ ]'} ${text}`
  return text
}
