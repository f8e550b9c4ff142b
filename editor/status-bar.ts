// The line under the editor: the connection status and the list of who is in the document.
import type { ConnectionStatus } from './document-sync.js'
import type { PresentUser } from './presence.js'

const statusLabels: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  offline: 'Offline — edits are kept and sent on reconnect',
}

/** The status bar's elements and the functions that update them. */
export interface StatusBar {
  readonly element: HTMLElement
  showStatus(status: ConnectionStatus): void
  showUsers(users: PresentUser[]): void
}

/**
 * Builds the status bar: `.collab-editor-status[data-status]` and the presence list
 * `ul.collab-editor-presence` with one `li[data-client-id]` per user.
 */
export function createStatusBar(): StatusBar {
  const element = document.createElement('div')
  element.className = 'collab-editor-footer'
  const status = element.appendChild(document.createElement('span'))
  status.className = 'collab-editor-status'
  status.setAttribute('role', 'status')
  const presence = element.appendChild(document.createElement('ul'))
  presence.className = 'collab-editor-presence'
  presence.setAttribute('aria-label', 'People in this document')
  return {
    element,
    showStatus(next) {
      status.dataset.status = next
      status.textContent = statusLabels[next]
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
