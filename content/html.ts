// The document as HTML and HTML as a document, by the editor schema's own DOM rules (toDOM,
// parseDOM) on linkedom's DOM. Two guards beyond the schema: unsafe links (those whose URL
// markdown-it refuses, a script of its own in HTML served from the server's origin), and NaN
// list starts. (The schema itself refuses images with an unsafe source.)
import {
  DOMParser,
  DOMSerializer,
  type Mark,
  type Node,
  type TagParseRule,
} from 'prosemirror-model'
import type * as Y from 'yjs'
import { editorSchema, isSafeHref } from '../editor/schema.js'
import { documentNode } from './document-content.js'
import { nestsDeeperThan } from './html-depth.js'
import { emptyHtmlDocument } from './html-dom.js'
import { maxNestingDepth, nestingError } from './nesting-limit.js'

/** The document as HTML: its blocks as the editor's DOM shows them, without `<html>` around. */
export function documentHtml(doc: Y.Doc): string {
  const document = emptyHtmlDocument()
  document.body.appendChild(serializer.serializeFragment(documentNode(doc).content, { document }))
  return document.body.innerHTML
}

/**
 * `html` (a fragment, or a whole page, whose `<head>` is ignored) as a document, the way the
 * editor reads pasted HTML: what the schema has no rule for is unwrapped or left out, never an
 * error. Elements nested deeper than `maxNestingDepth` are a FormatError.
 */
export function parseHtml(html: string): Node {
  // In an element, linkedom takes a doctype for the end of the content; HTML ignores it there.
  const markup = html.replace(/<!doctype[^>]*>/gi, '')
  // Measured first: parsing deep markup is slow, and DOMParser recurses per element.
  if (nestsDeeperThan(markup, maxNestingDepth)) throw nestingError()
  const { body } = emptyHtmlDocument()
  body.innerHTML = markup
  return parser.parse(body)
}

// The schema's serializer, but an unsafe link renders as its text (in an `<a>` without href).
const schemaSerializer = DOMSerializer.fromSchema(editorSchema)
const serializer = new DOMSerializer(schemaSerializer.nodes, {
  ...schemaSerializer.marks,
  link: (mark: Mark) => {
    const { href, title } = mark.attrs as { href: string; title: string | null }
    return ['a', { href: isSafeHref(href) ? href : null, title }, 0]
  },
})

// The schema's parse rules, but an unsafe link reads as its text, and an ordered list whose
// `start` is not a number starts at 1 (the list's rule would read NaN, which JSON cannot hold).
const parser = new DOMParser(
  editorSchema,
  DOMParser.fromSchema(editorSchema).rules.map((rule) =>
    'style' in rule ? rule : guardedRule(rule),
  ),
)

function guardedRule(rule: TagParseRule): TagParseRule {
  const { getAttrs } = rule
  if (!getAttrs) return rule
  if (rule.mark === 'link')
    return {
      ...rule,
      getAttrs: (dom) => {
        const attrs = getAttrs(dom)
        return attrs && isSafeHref(attrs.href) ? attrs : false
      },
    }
  if (rule.node === 'ordered_list')
    return {
      ...rule,
      getAttrs: (dom) => {
        const attrs = getAttrs(dom)
        const order: unknown = attrs && attrs.order
        return attrs && { ...attrs, order: Number.isInteger(order) ? order : 1 }
      },
    }
  return rule
}
