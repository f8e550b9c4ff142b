// The slash menu: `/` typed at the start of a paragraph or after a space opens a list of blocks
// under it, filtered by what follows the slash. ArrowUp/ArrowDown choose, Enter or Tab insert,
// Escape closes (the typed text stays); a click inserts too. Inserting replaces `/query` with the
// block. Focus stays in the document: it points at the chosen option with aria-activedescendant.
import { type EditorState, Plugin, PluginKey } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import { createFloating, type Floating } from './floating.js'
import { icon } from './icons.js'
import { editorSchema } from './schema.js'
import { type BlockChoice, blockChoices } from './slash-menu-choices.js'

/** The open menu: where its slash is, what follows it, what matches and which is chosen. */
interface SlashMenu {
  readonly from: number
  readonly query: string
  readonly matches: readonly BlockChoice[]
  readonly index: number
}

type SlashMeta = { open: number } | { choose: number } | 'close'

const slashMenuKey = new PluginKey<SlashMenu | null>('collab-slash-menu')

/** Whether `choice` matches `query`: its title or a keyword starts with it, or its title has it. */
function isMatch(choice: BlockChoice, query: string): boolean {
  const wanted = query.trim().toLowerCase()
  if (wanted === '') return true
  const title = choice.title.toLowerCase()
  const words = [...title.split(' '), ...choice.keywords]
  return title.includes(wanted) || words.some((word) => word.startsWith(wanted))
}

// The menu for a slash at `from`, or null when the caret has left `/query` or the query can no
// longer be a block's name (several words in, nothing matching).
function menuAt(state: EditorState, from: number, index: number): SlashMenu | null {
  const { empty, $head } = state.selection
  if (!empty || $head.pos <= from) return null
  const $from = state.doc.resolve(from)
  if ($from.parent !== $head.parent) return null
  const text = state.doc.textBetween(from, $head.pos, '\n', '\n')
  if (!text.startsWith('/') || text.includes('\n') || text.length > 32) return null
  const query = text.slice(1)
  const matches = blockChoices.filter((choice) => isMatch(choice, query) && choice.command(state))
  if (matches.length === 0 && /\s$/.test(query)) return null
  return { from, query, matches, index: Math.min(index, Math.max(0, matches.length - 1)) }
}

function dispatchMeta(view: EditorView, meta: SlashMeta): void {
  view.dispatch(view.state.tr.setMeta(slashMenuKey, meta))
}

function closeMenu(view: EditorView): void {
  if (slashMenuKey.getState(view.state)) dispatchMeta(view, 'close')
}

/** Replaces `/query` with the chosen block. */
function insertChoice(view: EditorView, choice: BlockChoice): void {
  const menu = slashMenuKey.getState(view.state)
  if (!menu) return
  const tr = view.state.tr.delete(menu.from, view.state.selection.head)
  view.dispatch(tr.setMeta(slashMenuKey, 'close'))
  choice.command(view.state, view.dispatch, view)
  // The image form takes focus for its address; every other block is typed into at once.
  if (choice.name !== 'image') view.focus()
}

function handleKeyDown(view: EditorView, event: KeyboardEvent): boolean {
  const menu = slashMenuKey.getState(view.state)
  if (!menu || event.isComposing) return false
  const hasModifier = event.altKey || event.ctrlKey || event.metaKey || event.shiftKey
  const count = menu.matches.length
  const chosen = menu.matches[menu.index]
  switch (event.key) {
    case 'ArrowDown':
    case 'ArrowUp':
      if (count === 0 || hasModifier) return false
      dispatchMeta(view, {
        choose: (menu.index + (event.key === 'ArrowDown' ? 1 : count - 1)) % count,
      })
      break
    case 'Enter':
    case 'Tab':
      if (hasModifier) return false
      if (!chosen) {
        closeMenu(view)
        return false
      }
      insertChoice(view, chosen)
      break
    case 'Escape':
      closeMenu(view)
      break
    default:
      return false
  }
  event.preventDefault()
  return true
}

/** The listbox under the slash, as a plugin view. */
class SlashMenuView {
  private readonly floating: Floating
  private readonly idPrefix: string
  private readonly listbox: HTMLElement
  private readonly empty: HTMLElement
  private options = new Map<string, HTMLElement>()
  private shownMatches: readonly BlockChoice[] = []
  private view: EditorView

  constructor(view: EditorView, idPrefix: string) {
    this.view = view
    this.idPrefix = idPrefix
    const parent = view.dom.parentElement ?? view.dom
    this.floating = createFloating(parent, 'collab-editor-popover collab-editor-slash-menu')
    const heading = this.floating.element.appendChild(document.createElement('div'))
    heading.className = 'collab-editor-menu-heading'
    heading.textContent = 'Blocks'
    heading.id = `${idPrefix}-heading`
    this.listbox = this.floating.element.appendChild(document.createElement('div'))
    this.listbox.className = 'collab-editor-menu-options'
    this.listbox.id = `${idPrefix}-listbox`
    this.listbox.setAttribute('role', 'listbox')
    this.listbox.setAttribute('aria-labelledby', heading.id)
    // Scrolled from the document by the arrow keys (the caret stays there); also a tab stop, as
    // any scrolling region must be, though Tab in the document chooses while the menu is open.
    this.listbox.tabIndex = 0
    this.empty = this.floating.element.appendChild(document.createElement('div'))
    this.empty.className = 'collab-editor-menu-empty'
    this.empty.textContent = 'No matching blocks'
    // The document keeps focus (and its caret) while the mouse picks.
    this.floating.element.addEventListener('mousedown', (event) => event.preventDefault())
    this.floating.element.addEventListener('click', (event) => {
      const name = this.optionName(event.target)
      const choice = this.shownMatches.find((match) => match.name === name)
      if (choice) insertChoice(this.view, choice)
    })
    this.floating.element.addEventListener('mousemove', (event) => {
      const menu = slashMenuKey.getState(this.view.state)
      const index = this.shownMatches.findIndex(
        (match) => match.name === this.optionName(event.target),
      )
      if (menu && index >= 0 && index !== menu.index) dispatchMeta(this.view, { choose: index })
    })
    this.update(view)
  }

  update(view: EditorView): void {
    this.view = view
    const menu = view.editable ? slashMenuKey.getState(view.state) : null
    if (!menu) {
      this.floating.hide()
      return
    }
    if (menu.matches !== this.shownMatches) this.renderOptions(menu.matches)
    const chosen = menu.matches[menu.index]
    for (const [name, option] of this.options) {
      const isChosen = name === chosen?.name
      option.setAttribute('aria-selected', String(isChosen))
      option.classList.toggle('is-active', isChosen)
      if (isChosen) this.scrollIntoView(option)
    }
    this.floating.show(
      () => view.coordsAtPos(menu.from),
      () => (view.dom.parentElement ?? view.dom).getBoundingClientRect(),
    )
  }

  destroy(): void {
    this.floating.destroy()
  }

  private optionName(target: EventTarget | null): string | undefined {
    const option = target instanceof Element ? target.closest<HTMLElement>('[role="option"]') : null
    return option?.dataset.block
  }

  private renderOptions(matches: readonly BlockChoice[]): void {
    this.shownMatches = matches
    this.options = new Map(matches.map((choice) => [choice.name, this.renderOption(choice)]))
    this.listbox.replaceChildren(...this.options.values())
    this.listbox.hidden = matches.length === 0
    this.empty.hidden = matches.length > 0
  }

  private renderOption(choice: BlockChoice): HTMLElement {
    const option = document.createElement('div')
    option.className = 'collab-editor-menu-option'
    option.id = optionId(this.idPrefix, choice)
    option.dataset.block = choice.name
    option.setAttribute('role', 'option')
    const tile = option.appendChild(document.createElement('span'))
    tile.className = 'collab-editor-menu-tile'
    tile.append(icon(choice.icon))
    const text = option.appendChild(document.createElement('span'))
    text.className = 'collab-editor-menu-text'
    const title = text.appendChild(document.createElement('span'))
    title.className = 'collab-editor-menu-title'
    title.textContent = choice.title
    // The option's name is its whole visible text, the description included.
    const description = text.appendChild(document.createElement('span'))
    description.className = 'collab-editor-menu-description'
    description.textContent = choice.description
    return option
  }

  private scrollIntoView(option: HTMLElement): void {
    const { listbox } = this
    if (option.offsetTop < listbox.scrollTop) listbox.scrollTop = option.offsetTop
    else if (option.offsetTop + option.offsetHeight > listbox.scrollTop + listbox.clientHeight)
      listbox.scrollTop = option.offsetTop + option.offsetHeight - listbox.clientHeight
  }
}

const optionId = (idPrefix: string, choice: BlockChoice): string => `${idPrefix}-${choice.name}`

/**
 * The slash menu plugin (`.collab-editor-slash-menu`, options `[role="option"][data-block]`).
 * Its keys are handled before any keymap's, so Enter and Escape act on the open menu.
 */
export function slashMenuPlugin(): Plugin {
  // Ids unique among the editors of one page, for aria-activedescendant.
  const idPrefix = `collab-slash-${Math.random().toString(36).slice(2, 10)}`
  return new Plugin<SlashMenu | null>({
    key: slashMenuKey,
    state: {
      init: () => null,
      apply(tr, menu, _oldState, state) {
        const meta = tr.getMeta(slashMenuKey) as SlashMeta | undefined
        if (meta === 'close') return null
        if (meta && 'open' in meta) return menuAt(state, meta.open, 0)
        if (!menu) return null
        if (meta && 'choose' in meta) return { ...menu, index: meta.choose }
        if (!tr.docChanged && !tr.selectionSet) return menu
        const from = tr.mapping.map(menu.from)
        const next = menuAt(state, from, menu.index)
        return next && next.query !== menu.query ? { ...next, index: 0 } : next
      },
    },
    props: {
      handleTextInput(view, from, to, text, insertText) {
        if (text !== '/') return false
        const $from = view.state.doc.resolve(from)
        if ($from.parent.type !== editorSchema.nodes.paragraph) return false
        const before = $from.parent.textBetween(0, $from.parentOffset, undefined, '\ufffc')
        if (before !== '' && !/\s$/.test(before)) return false
        view.dispatch(insertText().setMeta(slashMenuKey, { open: from } satisfies SlashMeta))
        return true
      },
      handleDOMEvents: {
        keydown: handleKeyDown,
        blur: (view) => {
          closeMenu(view)
          return false
        },
      },
      attributes(state): Record<string, string> {
        const menu = slashMenuKey.getState(state)
        if (!menu) return {}
        const chosen = menu.matches[menu.index]
        const attributes: Record<string, string> = { 'aria-controls': `${idPrefix}-listbox` }
        if (chosen) attributes['aria-activedescendant'] = optionId(idPrefix, chosen)
        return attributes
      },
    },
    view: (view) => new SlashMenuView(view, idPrefix),
  })
}
