// Reads CommonMark, with GFM's tables, strikethrough and task lists, as a document of the editor
// schema: prosemirror-markdown's default parser plus the schema's other nodes, nesting bounded.
import MarkdownIt, { type Options, type Token } from 'markdown-it'
import { defaultMarkdownParser, MarkdownParser } from 'prosemirror-markdown'
import type { Node } from 'prosemirror-model'
import { editorSchema, isSafeImageSrc } from '../editor/schema.js'
import { useEditorMarkdownRules } from './markdown-rules.js'
import { maxNestingDepth, nestingError } from './nesting-limit.js'

// The default parser's tokenizer (CommonMark, raw HTML as text), but its own instance: the
// default one stops nesting at 20 levels and silently drops what is deeper. This one stops one
// level past the limit, and refuses a token at the limit (so never reads a document cut short).
// A block token at level n becomes a node at depth n + 1. (Presets set maxNesting, which
// markdown-it's types leave out of Options.)
const options: Options & { maxNesting: number } = { html: false, maxNesting: maxNestingDepth + 1 }
const tokenizer = new MarkdownIt('commonmark', options).enable(['table', 'strikethrough'])
useEditorMarkdownRules(tokenizer)
tokenizer.core.ruler.push('nesting_limit', (state) => {
  if (state.tokens.some((token) => token.level >= maxNestingDepth)) throw nestingError()
})

// An image's token holds its alt text as written (`*big* cat`); the image's alt attribute takes
// the text (`big cat`). markdown-it refuses script URLs (its validateLink) as the schema does;
// should the two ever differ, the image is its alt text.
tokenizer.core.ruler.push('image_alt_text', (state) => {
  for (const token of state.tokens)
    for (const child of token.children ?? [])
      if (child.type === 'image') {
        child.content = plainText(child.children ?? [])
        if (!isSafeImageSrc(child.attrGet('src'))) child.type = 'text'
      }
})

function plainText(tokens: readonly Token[]): string {
  return tokens
    .map((token) =>
      token.type === 'softbreak' || token.type === 'hardbreak' ? ' ' : token.content,
    )
    .join('')
}

const parser = new MarkdownParser(editorSchema, tokenizer, {
  ...defaultMarkdownParser.tokens,
  image: {
    node: 'image',
    getAttrs: (token) => ({
      src: token.attrGet('src'),
      title: token.attrGet('title') || null,
      alt: token.content || null,
    }),
  },
  s: { mark: 'strike' },
  u: { mark: 'underline' },
  task_list: { block: 'task_list' },
  task_item: {
    block: 'task_item',
    getAttrs: (token) => ({ checked: token.attrGet('checked') === 'true' }),
  },
  table: { block: 'table' },
  thead: { ignore: true },
  tbody: { ignore: true },
  tr: { block: 'table_row' },
  th: { block: 'table_header' },
  td: { block: 'table_cell' },
})

/**
 * `body` as CommonMark with GFM's tables (a cell's `<br>` a line break), strikethrough and task
 * lists, and `<u>…</u>` for underline; other raw HTML is text. Every string reads, except content
 * nested deeper than `maxNestingDepth` (a FormatError).
 */
export function parseMarkdown(body: string): Node {
  return parser.parse(body)
}
