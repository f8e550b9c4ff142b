// The line under the editor: a "View only" badge for read-only users, the connection status and
// the list of who is in the document.
import type { ConnectionProblem } from './connection-problem.js'
import type { ConnectionStatus } from './document-sync.js'
import type { PresentUser } from './presence.js'

const statusLabels: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  offline: 'Offline — edits are kept and sent on reconnect',
}

/** What the status line shows. */
export interface StatusView {
  status: ConnectionStatus
  problem: ConnectionProblem | null
  isReadOnly: boolean
}

function statusLabel({ status, problem, isReadOnly }: StatusView): string {
  if (problem && !problem.isRetrying) return 'Disconnected'
  if (status === 'offline' && isReadOnly) return 'Offline — reconnecting…'
  return statusLabels[status]
}

/** The status bar's elements and the functions that update them. */
export interface StatusBar {
  readonly element: HTMLElement
  showStatus(view: StatusView): void
  showUsers(users: PresentUser[]): void
}

/**
 * Builds the status bar: `.collab-editor-view-only` (hidden unless read-only),
 * `.collab-editor-status[data-status]` and the presence list `ul.collab-editor-presence` with one
 * `li[data-client-id]` per user.
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
  const presence = element.appendChild(document.createElement('ul'))
  presence.className = 'collab-editor-presence'
  presence.setAttribute('aria-label', 'People in this document')
  return {
    element,
    showStatus(view) {
      viewOnly.hidden = !view.isReadOnly
      status.dataset.status = view.status
      status.textContent = statusLabel(view)
    },
    showUsers(users) {
      presence.replaceChildren(
        ...users.map((user) => {
          const item = document.createElement('li')
          item.dataset.clientId = String(user.clientId)
          item.style.setProperty('--user-color', user.color)
          item.textContent = user.isLocal ? `${user.name} (you)` : user.name
          item.title = user.name
          item.classList.toggle('is-local', user.isLocal)
          return item
        }),
      )
    },
  }
}
