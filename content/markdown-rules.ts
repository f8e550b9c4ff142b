// markdown-it rules for what the editor schema holds beyond CommonMark and GFM's tables and
// strikethrough: task list items (`- [ ] `, `- [x] `), `<u>…</u>` for underline, and `<br>` for a
// line break inside a table cell. Raw HTML stays text otherwise.
import type MarkdownIt from 'markdown-it'
import type { StateCore, StateInline, Token } from 'markdown-it'

/** Adds the rules to `tokenizer`; the parser maps `task_list`, `task_item` and `u` tokens. */
export function useEditorMarkdownRules(tokenizer: MarkdownIt): void {
  tokenizer.inline.ruler.before('html_inline', 'editor_tags', readTag)
  tokenizer.core.ruler.push('editor_tags', repairTags)
  tokenizer.core.ruler.push('table_cell_paragraphs', wrapCellContent)
  tokenizer.core.ruler.push('task_lists', markTaskLists)
}

// `<u>`, `</u>`, `<br>`, `<br/>`: the only tags read, so that what the serializer writes reads
// back. (`\<u>` is text: the escape rule runs first.)
const tagPattern = /^<(?:(\/?)u|br\s*\/?)>/i

function readTag(state: StateInline, silent: boolean): boolean {
  const match = tagPattern.exec(state.src.slice(state.pos, state.pos + 8))
  if (!match) return false
  if (!silent) {
    const isBreak = match[0].toLowerCase().startsWith('<br')
    const type = isBreak ? 'hardbreak' : match[1] ? 'u_close' : 'u_open'
    // Nesting 0 even for `<u>`: markdown-it's own nesting must not see a `</u>` without a `<u>`
    // (prosemirror-markdown goes by the types).
    const token = state.push(type, isBreak ? 'br' : 'u', 0)
    token.markup = match[0]
    token.info = 'tag'
  }
  state.pos += match[0].length
  return true
}

// A `<br>` counts only in a table cell (elsewhere a line break is a backslash or two spaces at
// the end of the line), and a `<u>` only with its `</u>` in the same block: anything else is
// the text it was.
function repairTags(state: StateCore): void {
  let cellDepth = 0
  for (const token of state.tokens) {
    if (token.type === 'th_open' || token.type === 'td_open') cellDepth++
    if (token.type === 'th_close' || token.type === 'td_close') cellDepth--
    if (token.type !== 'inline' || !token.children) continue
    const opened: Token[] = []
    for (const child of token.children) {
      if (child.info !== 'tag') continue
      if (child.type === 'hardbreak' && cellDepth === 0) asText(child)
      if (child.type === 'u_open') opened.push(child)
      if (child.type === 'u_close' && !opened.pop()) asText(child)
    }
    for (const unclosed of opened) asText(unclosed)
  }
}

function asText(token: Token): void {
  token.type = 'text'
  token.tag = ''
  token.content = token.markup
}

// The schema's cells hold blocks: a cell's inline content goes into a paragraph.
function wrapCellContent(state: StateCore): void {
  const tokens: Token[] = []
  for (const [index, token] of state.tokens.entries()) {
    const parent = state.tokens[index - 1]
    const isCellContent =
      token.type === 'inline' && (parent?.type === 'th_open' || parent?.type === 'td_open')
    if (isCellContent) tokens.push(new state.Token('paragraph_open', 'p', 1))
    tokens.push(token)
    if (isCellContent) tokens.push(new state.Token('paragraph_close', 'p', -1))
  }
  state.tokens = tokens
}

// `[ ] ` or `[x] ` opening an item's first paragraph, as written (so `\[ ] ` is text).
const checkboxPattern = /^\[([ xX])\](?:[ \t]|$)/

/**
 * A bullet list's items that open with a checkbox are task items. Consecutive ones make a task
 * list; a list of both kinds is split into runs of each.
 */
function markTaskLists(state: StateCore): void {
  const tokens: Token[] = []
  const lists: Array<{ open: Token; kind: ListKind | null }> = []
  for (const [index, token] of state.tokens.entries()) {
    const list = lists.at(-1)
    const isItemOf = (type: string): boolean =>
      token.type === type && list !== undefined && token.level === list.open.level + 1
    if (token.type === 'bullet_list_open') {
      lists.push({ open: token, kind: null })
      continue // opened with its first item, once the kind of that is known
    }
    if (list && token.type === 'bullet_list_close') {
      lists.pop()
      tokens.push(listToken(state, list.open, list.kind ?? 'bullet', -1))
      continue
    }
    if (list && isItemOf('list_item_open')) {
      const checked = readCheckbox(state.tokens, index)
      const kind = checked === null ? 'bullet' : 'task'
      if (list.kind !== kind) {
        if (list.kind) tokens.push(listToken(state, list.open, list.kind, -1))
        tokens.push(listToken(state, list.open, kind, 1))
        list.kind = kind
      }
      if (checked !== null) {
        token.type = 'task_item_open'
        token.attrSet('checked', String(checked))
      }
    }
    if (list?.kind === 'task' && isItemOf('list_item_close')) token.type = 'task_item_close'
    tokens.push(token)
  }
  state.tokens = tokens
}

type ListKind = 'bullet' | 'task'

// For the item opening at `index`: whether its checkbox is checked, or null when it has none.
// A checkbox is taken out of the item's text.
function readCheckbox(tokens: readonly Token[], index: number): boolean | null {
  const paragraph = tokens[index + 1]
  const inline = tokens[index + 2]
  const first = inline?.children?.[0]
  if (paragraph?.type !== 'paragraph_open' || inline?.type !== 'inline' || first?.type !== 'text')
    return null
  const match = checkboxPattern.exec(inline.content)
  if (!match?.[1] || !first.content.startsWith(match[0].trimEnd())) return null
  first.content = first.content.slice(match[0].length)
  return match[1] !== ' '
}

function listToken(state: StateCore, like: Token, kind: ListKind, nesting: 1 | -1): Token {
  const token = new state.Token(`${kind}_list_${nesting === 1 ? 'open' : 'close'}`, 'ul', nesting)
  token.markup = like.markup
  token.level = like.level
  return token
}
