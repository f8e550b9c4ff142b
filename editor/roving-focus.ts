// Roving tabindex for a toolbar: the toolbar is one tab stop (the control last used, at first
// the first one), and ArrowLeft/ArrowRight, Home and End move between its enabled, shown
// controls. Controls inside `[data-roving-skip]` (a menu that moves focus itself) are left out.

/** The roving focus of one toolbar. */
export interface RovingFocus {
  /** Gives the tab stop to a control that can take it (after controls were disabled or hidden). */
  refresh(): void
  destroy(): void
}

const controlSelector = 'button, a[href], input, select'

/**
 * Makes `container`'s controls one tab stop. Controls added, hidden, shown, enabled or disabled
 * later are taken into account. Escape calls `onEscape` (back to the document).
 */
export function rovingFocus(container: HTMLElement, onEscape: () => void): RovingFocus {
  let current: HTMLElement | null = null
  const controls = (): HTMLElement[] => [
    ...container.querySelectorAll<HTMLElement>(controlSelector),
  ]
  const canHaveFocus = (control: HTMLElement): boolean =>
    !(control as HTMLButtonElement).disabled &&
    control.closest('[hidden], [data-roving-skip]') === null
  const activeElement = (): Element | null =>
    (container.getRootNode() as Document | ShadowRoot).activeElement ?? null

  const refresh = (): void => {
    const all = controls()
    const stops = all.filter(canHaveFocus)
    const hadFocus = current !== null && activeElement() === current
    if (current === null || !stops.includes(current)) current = stops[0] ?? null
    for (const control of all) {
      const tabIndex = control === current ? 0 : -1
      if (control.tabIndex !== tabIndex) control.tabIndex = tabIndex
    }
    // The focused control was just disabled (Undo, once nothing is left to undo).
    if (hadFocus && activeElement() !== current) current?.focus()
  }
  const moveTo = (control: HTMLElement | undefined): void => {
    if (!control) return
    current = control
    refresh()
    control.focus()
  }

  const onKeydown = (event: KeyboardEvent): void => {
    const target = event.target
    if (!(target instanceof HTMLElement) || target.closest('[data-roving-skip]')) return
    if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement) return
    if (event.altKey || event.ctrlKey || event.metaKey) return
    const stops = controls().filter(canHaveFocus)
    const at = stops.indexOf(target)
    const next: Record<string, number> = {
      ArrowRight: (at + 1) % stops.length,
      ArrowLeft: (at - 1 + stops.length) % stops.length,
      Home: 0,
      End: stops.length - 1,
    }
    if (event.key === 'Escape') onEscape()
    else if (event.key in next && at >= 0) moveTo(stops[next[event.key] ?? 0])
    else return
    event.preventDefault()
  }
  const onFocusin = (event: FocusEvent): void => {
    const target = event.target
    if (target instanceof HTMLElement && target.matches(controlSelector) && canHaveFocus(target)) {
      current = target
      refresh()
    }
  }
  // Attribute changes other than tabindex: refresh's own writes do not call it again.
  const observer = new MutationObserver(refresh)
  observer.observe(container, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['disabled', 'hidden'],
  })
  container.addEventListener('keydown', onKeydown)
  container.addEventListener('focusin', onFocusin)
  refresh()
  return {
    refresh,
    destroy() {
      observer.disconnect()
      container.removeEventListener('keydown', onKeydown)
      container.removeEventListener('focusin', onFocusin)
    },
  }
}
