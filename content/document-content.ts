// A document's content outside the editor: the editor's Y.Doc (its XmlFragment, as y-prosemirror
// writes it) read as a ProseMirror node, and that node as ProseMirror JSON, plain text or
// Markdown. No DOM and nothing of the server: webhooks, and later the content API, build on it.
import { defaultMarkdownSerializer } from 'prosemirror-markdown'
import type { Node } from 'prosemirror-model'
import { yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror'
import * as Y from 'yjs'
import { editorSchema } from '../editor/schema.js'

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
 * paragraph, as the editor shows it. Elements the schema rejects are left out. `doc` is never
 * changed. Throws when the fragment holds what y-prosemirror cannot read (text directly in it).
 */
export function documentNode(doc: Y.Doc): Node {
  // y-prosemirror repairs what it reads: it deletes elements the schema rejects and merges
  // neighbouring texts of the document's own client. On a live document that would be a change
  // nobody stores or relays, so it reads a copy.
  const copy = new Y.Doc()
  try {
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
    const root = yXmlFragmentToProseMirrorRootNode(
      copy.getXmlFragment(documentFragmentName),
      editorSchema,
    )
    return editorSchema.topNodeType.createAndFill(null, root.content) ?? root
  } finally {
    copy.destroy()
  }
}

/** The document as ProseMirror JSON: what `Node.fromJSON(editorSchema, json)` reads back. */
export function documentJson(doc: Y.Doc): ProseMirrorJson {
  return jsonOf(documentNode(doc))
}

/**
 * The document as plain text, without markup: blocks separated by a blank line, list items and
 * the blocks inside one on lines of their own, a hard break as a line break.
 */
export function documentText(doc: Y.Doc): string {
  return textOf(documentNode(doc))
}

/** The document as CommonMark: prosemirror-markdown's default serializer, with tight lists. */
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

// Lists read best with one item per line; everywhere else blocks are paragraphs of prose.
const lineSeparatedNodes = new Set([
  editorSchema.nodes.bullet_list,
  editorSchema.nodes.ordered_list,
  editorSchema.nodes.list_item,
])

function textOf(node: Node): string {
  if (node.isTextblock) return node.textBetween(0, node.content.size, '', '\n')
  const blocks: string[] = []
  node.forEach((child) => blocks.push(textOf(child)))
  return blocks.join(lineSeparatedNodes.has(node.type) ? '\n' : '\n\n')
}

function markdownOf(node: Node): string {
  return defaultMarkdownSerializer.serialize(node, { tightLists: true })
}
