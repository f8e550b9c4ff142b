// The line under the editor: a "View only" badge for read-only users and whether the user's work
// is saved (save-state.ts). The presence list and the word count are appended after it.
import type { ConnectionStatus } from './document-sync.js'
import type { SaveState } from './save-state.js'

/** What the status line shows. */
export interface StatusView {
  status: ConnectionStatus
  saveState: SaveState
  /** The save state in words (save-state.ts). */
  label: string
  isReadOnly: boolean
}

/** The status bar's elements and the functions that update them. */
export interface StatusBar {
  readonly element: HTMLElement
  showStatus(view: StatusView): void
}

/**
 * Builds the status bar: `.collab-editor-view-only` (hidden unless read-only),
 * and `.collab-editor-status[data-status][data-save-state]` (a live region: screen readers
 * announce its changes).
 */
export function createStatusBar(): StatusBar {
  const element = document.createElement('div')
  element.className = 'collab-editor-footer'
  const viewOnly = element.appendChild(document.createElement('span'))
  viewOnly.className = 'collab-editor-view-only'
  viewOnly.textContent = 'View only'
  viewOnly.title = 'You can read this document but not change it'
  viewOnly.hidden = true
  const status = element.appendChild(document.createElement('span'))
  status.className = 'collab-editor-status'
  status.setAttribute('role', 'status')
  return {
    element,
    showStatus(view) {
      viewOnly.hidden = !view.isReadOnly
      status.dataset.status = view.status
      status.dataset.saveState = view.saveState
      // A read-only editor has nothing of its own to save: offline, it only waits.
      const isWaiting = view.isReadOnly && view.saveState === 'offline'
      const label = isWaiting ? 'Offline — reconnecting…' : view.label
      if (status.textContent !== label) status.textContent = label
    },
  }
}
