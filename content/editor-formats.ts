// The editor's document in the formats of the document API and the CLI (DocumentFormats, for
// createCollabServer): ProseMirror JSON, HTML, Markdown and plain text, both ways.
import type { Node } from 'prosemirror-model'
import { prosemirrorToYXmlFragment } from 'y-prosemirror'
import * as Y from 'yjs'
import { type DocumentFormats, FormatError, type RenderedDocument } from '../server/index.js'
import {
  documentFragmentName,
  documentJson,
  documentMarkdown,
  documentText,
} from './document-content.js'
import { documentHtml, parseHtml } from './html.js'
import { parseJson } from './json-parser.js'
import { parseMarkdown } from './markdown-parser.js'
import { maxNestingDepth, nestingDepthOf, nestingError } from './nesting-limit.js'
import { parseText } from './text-parser.js'

interface Format {
  readonly contentType: string
  readonly render: (doc: Y.Doc) => string
  /** `body` as a document; throws a FormatError for what it can tell is wrong. */
  readonly parse: (body: string) => Node
}

const formats: { readonly [name: string]: Format } = {
  json: {
    contentType: 'application/json',
    render: (doc) => JSON.stringify(documentJson(doc)),
    parse: parseJson,
  },
  html: { contentType: 'text/html; charset=utf-8', render: documentHtml, parse: parseHtml },
  markdown: {
    contentType: 'text/markdown; charset=utf-8',
    render: documentMarkdown,
    parse: parseMarkdown,
  },
  text: { contentType: 'text/plain; charset=utf-8', render: documentText, parse: parseText },
}

/**
 * The editor's formats: `json` (Node.toJSON of the document, strict: anything the schema rejects
 * is an error), `html` and `markdown` (read as the editor reads a paste: what the schema cannot
 * hold is repaired), `text` (paragraphs and hard breaks). `parse` writes the document into the
 * `prosemirror` fragment as y-prosemirror does (which keeps marks on text only), refuses content
 * nested deeper than `maxNestingDepth`, and gives an empty document for an empty body.
 */
export const editorFormats: DocumentFormats = {
  names: Object.keys(formats),

  render(doc: Y.Doc, format: string): RenderedDocument {
    const { contentType, render } = formatNamed(format)
    return { contentType, body: render(doc) }
  },

  parse(format: string, body: string): Y.Doc {
    const reader = formatNamed(format)
    const node = body === '' ? null : readNode(reader, format, body)
    const doc = new Y.Doc()
    const fragment = doc.getXmlFragment(documentFragmentName)
    if (node) prosemirrorToYXmlFragment(node, fragment)
    return doc
  },
}

function formatNamed(name: string): Format {
  const format = Object.hasOwn(formats, name) ? formats[name] : undefined
  if (!format) throw new FormatError(`Unknown format ${JSON.stringify(name)}`)
  return format
}

// The parsers throw FormatErrors for what they check, and bound nesting in their own terms
// before anything recursive reads the body; anything else thrown by the libraries they use is
// still a body that does not read. The result's depth is checked too (HTML counts elements,
// not nodes), so that what any format reads, JSON reads back.
function readNode(format: Format, name: string, body: string): Node {
  let node: Node
  try {
    node = format.parse(body)
  } catch (error) {
    if (error instanceof FormatError) throw error
    throw new FormatError(`The body does not read as ${name}: ${String(error)}`)
  }
  if (nestingDepthOf(node) > maxNestingDepth) throw nestingError()
  return node
}
