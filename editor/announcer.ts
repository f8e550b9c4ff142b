// A visually hidden live region that tells screen reader users what just happened ("Link
// removed") when nothing that has focus says so.

/** One live region; `announce` replaces what it says. */
export interface Announcer {
  announce(text: string): void
  destroy(): void
}

/** Appends a polite `role="status"` region (`.collab-visually-hidden`) to `parent`. */
export function createAnnouncer(parent: HTMLElement): Announcer {
  const region = parent.appendChild(document.createElement('div'))
  region.className = 'collab-visually-hidden'
  region.setAttribute('role', 'status')
  return {
    announce(text) {
      // A new text node each time: an addition, announced even when the words are the same.
      region.replaceChildren(document.createTextNode(text))
    },
    destroy: () => region.remove(),
  }
}
