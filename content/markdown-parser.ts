// Reads CommonMark as a document of the editor schema: prosemirror-markdown's default parser,
// with images and thematic breaks (which the schema lacks) mapped, and nesting bounded.
import MarkdownIt, { type Options, type Token } from 'markdown-it'
import { defaultMarkdownParser, MarkdownParser } from 'prosemirror-markdown'
import type { Node } from 'prosemirror-model'
import { editorSchema } from '../editor/schema.js'
import { maxNestingDepth, nestingError } from './nesting-limit.js'

// The default parser's tokenizer (CommonMark, raw HTML as text), but its own instance: the
// default one stops nesting at 20 levels and silently drops what is deeper. This one stops one
// level past the limit, and refuses a token at the limit (so never reads a document cut short).
// A block token at level n becomes a node at depth n + 1. (Presets set maxNesting, which
// markdown-it's types leave out of Options.)
const options: Options & { maxNesting: number } = { html: false, maxNesting: maxNestingDepth + 1 }
const tokenizer = new MarkdownIt('commonmark', options)
tokenizer.core.ruler.push('nesting_limit', (state) => {
  if (state.tokens.some((token) => token.level >= maxNestingDepth)) throw nestingError()
})

// An image's token holds its alt text as written (`*big* cat`); the link made of it (below)
// takes the text (`big cat`), as an image's alt attribute would, or else the image's source.
tokenizer.core.ruler.push('image_alt_text', (state) => {
  for (const token of state.tokens)
    for (const child of token.children ?? [])
      if (child.type === 'image')
        child.content = plainText(child.children ?? []) || (child.attrGet('src') ?? '')
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
  // No images in the schema: an image becomes a link to its source, with its alt text (or its
  // source) as the link's text.
  image: {
    mark: 'link',
    noCloseToken: true,
    getAttrs: (token) => ({ href: token.attrGet('src'), title: token.attrGet('title') || null }),
  },
  // No horizontal rules: a thematic break holds no content, so it is left out.
  hr: { ignore: true, noCloseToken: true },
})

/**
 * `body` as CommonMark. Every string reads, as CommonMark defines (what the schema cannot hold
 * is repaired as above), except content nested deeper than `maxNestingDepth` (a FormatError).
 */
export function parseMarkdown(body: string): Node {
  return parser.parse(body)
}
