// A floating element (menu, popover) anchored to a place in the document: fixed to the viewport,
// so that no scrolling or clipping ancestor cuts it off, below its anchor or above it when there
// is no room below, kept inside the viewport, and moved along when the page or document scrolls.

/** A rectangle in viewport coordinates, as `getBoundingClientRect` and `coordsAtPos` give. */
export interface AnchorRect {
  left: number
  right: number
  top: number
  bottom: number
}

/** One floating element; its owner shows it at an anchor, hides it and destroys it. */
export interface Floating {
  readonly element: HTMLElement
  readonly isShown: boolean
  /**
   * Shows the element at the rectangle `anchor()` returns, asked again whenever the page scrolls
   * or the window resizes. When the anchor is outside `clip()` (the document's scrolled-away
   * part), the element is kept but not shown.
   */
  show(anchor: () => AnchorRect, clip?: () => AnchorRect): void
  /** Places the element again, after its anchor or its content changed. */
  reposition(): void
  hide(): void
  destroy(): void
}

const gapPx = 6
const marginPx = 8

/** Creates `element` hidden, appended to `parent`, with `className`. */
export function createFloating(parent: HTMLElement, className: string, tag = 'div'): Floating {
  const element = parent.ownerDocument.createElement(tag)
  element.className = `collab-editor-floating ${className}`
  element.hidden = true
  parent.append(element)
  let anchor: (() => AnchorRect) | null = null
  let clip: (() => AnchorRect) | undefined

  const place = (): void => {
    if (!anchor) return
    const rect = anchor()
    const bounds = clip?.()
    const isClipped = bounds !== undefined && (rect.bottom < bounds.top || rect.top > bounds.bottom)
    element.style.visibility = isClipped ? 'hidden' : ''
    const window = element.ownerDocument.defaultView
    const viewportWidth = window?.innerWidth ?? 0
    const viewportHeight = window?.innerHeight ?? 0
    const { width, height } = element.getBoundingClientRect()
    const below = rect.bottom + gapPx
    const above = rect.top - gapPx - height
    const top = below + height + marginPx > viewportHeight && above >= marginPx ? above : below
    const left = Math.max(marginPx, Math.min(rect.left, viewportWidth - width - marginPx))
    element.style.left = `${Math.round(left)}px`
    element.style.top = `${Math.round(top)}px`
  }
  // Capture: scroll events do not bubble, and those of a scrolled box in a shadow tree (the
  // document's own) reach only that tree's root, not the window.
  const scrollOptions = { capture: true, passive: true }
  let listened: Array<Window | Node> = []
  const listen = (): void => {
    const window = parent.ownerDocument.defaultView
    listened = [parent.getRootNode(), ...(window ? [window] : [])]
    for (const target of listened) target.addEventListener('scroll', place, scrollOptions)
    window?.addEventListener('resize', place)
  }
  const unlisten = (): void => {
    for (const target of listened) target.removeEventListener('scroll', place, scrollOptions)
    parent.ownerDocument.defaultView?.removeEventListener('resize', place)
    listened = []
  }

  return {
    element,
    get isShown() {
      return anchor !== null
    },
    show(nextAnchor, nextClip) {
      if (!anchor) listen()
      anchor = nextAnchor
      clip = nextClip
      element.hidden = false
      place()
    },
    reposition: place,
    hide() {
      if (!anchor) return
      anchor = null
      unlisten()
      element.hidden = true
    },
    destroy() {
      if (anchor) unlisten()
      anchor = null
      element.remove()
    },
  }
}
