// Links without `window.prompt`: Mod-k or the toolbar's link button opens a small form at the
// selection (prefilled on a link) where Enter applies the address and Escape goes back to the
// document; while the caret is in a link, a bubble under it shows the address with Open, Edit
// and Remove. The bubble follows the document in Tab order, so the keyboard reaches it too.
import { keydownHandler } from 'prosemirror-keymap'
import { type Command, type EditorState, Plugin, PluginKey } from 'prosemirror-state'
import { Decoration, DecorationSet, type EditorView } from 'prosemirror-view'
import { type Announcer, createAnnouncer } from './announcer.js'
import { linkAround, removeLink, setLink } from './commands.js'
import { type AnchorRect, createFloating, type Floating } from './floating.js'
import { icon, type IconName } from './icons.js'
import { createPopoverForm, type PopoverForm } from './popover-form.js'
import { isSafeHref } from './safe-url.js'
import { editorSchema } from './schema.js'

/** True while the link form is open. */
const linkPopoverKey = new PluginKey<boolean>('collab-link-popover')

function canLink(state: EditorState): boolean {
  const { parent } = state.selection.$from
  return parent.inlineContent && parent.type.allowsMarkType(editorSchema.marks.link)
}

/**
 * Opens the link form for the selection (it links the selected text, changes the link at the
 * caret, or inserts the address as linked text); false where text cannot be linked (code).
 */
export const openLinkEditor: Command = (state, dispatch) => {
  if (!canLink(state)) return false
  dispatch?.(state.tr.setMeta(linkPopoverKey, true))
  return true
}

// Why an address was refused, in words: `setLink` refuses empty ones and scripts.
function refusal(href: string): string {
  if (href.trim() === '') return 'Type or paste a link address'
  const scheme = /^([a-z][a-z\d+.-]*):/i.exec(href.replace(/[\s\p{Cc}]+/gu, ''))?.[1]
  return `${scheme?.toLowerCase() ?? 'This kind of'}: links are not allowed`
}

function setEditing(view: EditorView, isEditing: boolean): void {
  if (linkPopoverKey.getState(view.state) !== isEditing)
    view.dispatch(view.state.tr.setMeta(linkPopoverKey, isEditing))
}

function bubbleButton(name: string, label: string, iconName: IconName): HTMLButtonElement {
  const button = document.createElement('button')
  button.type = 'button'
  button.className = 'collab-editor-icon-button'
  button.dataset.action = name
  button.title = label
  button.setAttribute('aria-label', label)
  button.append(icon(iconName))
  return button
}

/** The link form and bubble as a plugin view, mounted after the document. */
class LinkPopoverView {
  private readonly parent: HTMLElement
  private readonly form: PopoverForm
  private readonly removeInForm: HTMLButtonElement
  private readonly bubble: Floating
  private readonly url: HTMLElement
  private readonly open: HTMLAnchorElement
  private readonly announcer: Announcer
  private view: EditorView
  private wasLinkWhenOpened = false

  constructor(view: EditorView) {
    this.view = view
    this.parent = view.dom.parentElement ?? view.dom
    this.announcer = createAnnouncer(this.parent)
    this.form = createPopoverForm({
      parent: this.parent,
      className: 'collab-editor-link-popover',
      label: 'Link',
      fields: [
        {
          name: 'href',
          label: 'Link address',
          placeholder: 'Paste or type a link',
          inputMode: 'url',
        },
      ],
      submitLabel: 'Apply',
      submitIcon: 'check',
      onSubmit: (values) => this.apply(values.get('href') ?? ''),
      onCancel: () => {
        setEditing(this.view, false)
        this.view.focus()
      },
      onFocusLeave: () => setEditing(this.view, false),
    })
    this.removeInForm = this.form.actions.appendChild(
      bubbleButton('remove', 'Remove link', 'unlink'),
    )
    this.removeInForm.addEventListener('click', () => this.remove())

    this.bubble = createFloating(this.parent, 'collab-editor-popover collab-editor-link-bubble')
    this.bubble.element.setAttribute('role', 'group')
    this.bubble.element.setAttribute('aria-label', 'Link')
    this.url = this.bubble.element.appendChild(document.createElement('span'))
    this.url.className = 'collab-editor-link-url'
    this.open = this.bubble.element.appendChild(document.createElement('a'))
    this.open.className = 'collab-editor-icon-button'
    this.open.dataset.action = 'open'
    this.open.target = '_blank'
    this.open.rel = 'noopener noreferrer'
    this.open.title = 'Open link in a new tab'
    this.open.setAttribute('aria-label', 'Open link in a new tab')
    this.open.append(icon('external-link'))
    const edit = this.bubble.element.appendChild(bubbleButton('edit', 'Edit link', 'edit'))
    const remove = this.bubble.element.appendChild(bubbleButton('remove', 'Remove link', 'unlink'))
    // Clicking in the bubble keeps the caret (and so the bubble) where it is.
    this.bubble.element.addEventListener('mousedown', (event) => {
      if (event.target instanceof Element && !event.target.closest('a')) event.preventDefault()
    })
    edit.addEventListener('click', () => setEditing(this.view, true))
    remove.addEventListener('click', () => this.remove())
    this.bubble.element.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return
      event.preventDefault()
      this.view.focus()
    })
    for (const element of [view.dom, this.bubble.element]) {
      element.addEventListener('focusin', this.refreshOnFocus)
      element.addEventListener('focusout', this.refreshOnFocus)
    }
    this.update(view)
  }

  update(view: EditorView): void {
    this.view = view
    const isEditing = (linkPopoverKey.getState(view.state) ?? false) && view.editable
    if (isEditing && !this.form.isOpen) this.openForm()
    else if (!isEditing && this.form.isOpen) this.form.close()
    else if (isEditing) this.form.floating.reposition()
    this.showBubble(view.hasFocus() || this.bubble.element.contains(this.activeElement()))
  }

  destroy(): void {
    this.view.dom.removeEventListener('focusin', this.refreshOnFocus)
    this.view.dom.removeEventListener('focusout', this.refreshOnFocus)
    this.form.destroy()
    this.bubble.destroy()
    this.announcer.destroy()
  }

  // Focus moving between the document and the bubble keeps it; going elsewhere hides it.
  private readonly refreshOnFocus = (event: FocusEvent): void => {
    const next = event.relatedTarget
    const staysNear =
      next instanceof Node && (this.view.dom.contains(next) || this.bubble.element.contains(next))
    if (event.type === 'focusin' || !staysNear) this.showBubble(event.type === 'focusin')
  }

  private activeElement(): Element | null {
    return this.view.root.activeElement
  }

  private anchor(): AnchorRect {
    const link = linkAround(this.view.state)
    return this.view.coordsAtPos(link?.from ?? this.view.state.selection.from)
  }

  private clip = (): AnchorRect => this.parent.getBoundingClientRect()

  private openForm(): void {
    const link = linkAround(this.view.state)
    this.wasLinkWhenOpened = link !== null
    this.removeInForm.hidden = link === null
    this.bubble.hide()
    this.form.open(new Map([['href', link?.href ?? '']]), () => this.anchor(), this.clip)
  }

  private apply(href: string): string | null {
    const command = setLink(href)
    if (!command(this.view.state)) return refusal(href)
    command(this.view.state, this.view.dispatch)
    setEditing(this.view, false)
    this.view.focus()
    this.announcer.announce(this.wasLinkWhenOpened ? 'Link changed' : 'Link added')
    return null
  }

  private remove(): void {
    removeLink(this.view.state, this.view.dispatch)
    setEditing(this.view, false)
    this.view.focus()
    this.announcer.announce('Link removed')
  }

  private showBubble(hasFocus: boolean): void {
    const { view } = this
    const link = view.editable && !this.form.isOpen && hasFocus ? linkAround(view.state) : null
    if (!link) {
      this.bubble.hide()
      return
    }
    this.url.textContent = link.href
    this.url.title = link.href
    // A document may hold any address a peer put there: only safe ones get a working Open.
    if (isSafeHref(link.href)) this.open.href = link.href
    else this.open.removeAttribute('href')
    this.bubble.show(() => this.anchor(), this.clip)
  }
}

/**
 * The link popover plugin: Mod-k opens the form (as `openLinkEditor` does), which is
 * `.collab-editor-link-popover`; the bubble is `.collab-editor-link-bubble`.
 */
export function linkPopoverPlugin(): Plugin {
  return new Plugin<boolean>({
    key: linkPopoverKey,
    state: {
      init: () => false,
      apply: (tr, isEditing) => {
        const meta: unknown = tr.getMeta(linkPopoverKey)
        return typeof meta === 'boolean' ? meta : isEditing
      },
    },
    props: {
      handleKeyDown: keydownHandler({ 'Mod-k': openLinkEditor }),
      // While the form has focus, the text it will link stays marked.
      decorations(state) {
        const { from, to, empty } = state.selection
        if (!linkPopoverKey.getState(state) || empty) return null
        return DecorationSet.create(state.doc, [
          Decoration.inline(from, to, { class: 'collab-editor-link-target' }),
        ])
      },
    },
    view: (view) => new LinkPopoverView(view),
  })
}
