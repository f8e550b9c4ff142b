// The document group at the end of the toolbar: History, which opens the history panel, and the
// Markdown and HTML downloads of the document. Unlike the formatting buttons, these act on the
// document through the HTTP API, not on the editor's state.
import { type DocumentApi, type ExportFormat, describeApiError } from './document-api.js'
import { downloadExport } from './export-download.js'
import { createHistoryPanel } from './history/history-panel.js'
import { icon, type IconName } from './icons.js'

/** Options of `createDocumentActions`. */
export interface DocumentActionsOptions {
  api: DocumentApi
  documentName: string
  /** Where the history panel and its preview go (see HistoryPanelOptions.host). */
  host: HTMLElement
}

/** The toolbar group and the history panel it opens; the editor owns both. */
export interface DocumentActions {
  /** `.collab-editor-toolbar-group.collab-editor-document-actions`, for the toolbar. */
  readonly element: HTMLElement
  /** Closes the history panel (e.g. when the toolbar goes). */
  close(): void
  destroy(): void
}

const exports: ReadonlyArray<{ format: ExportFormat; text: string; title: string }> = [
  { format: 'markdown', text: '.md', title: 'Download .md (Markdown)' },
  { format: 'html', text: '.html', title: 'Download .html (HTML)' },
]

function toolbarButton(
  command: string,
  iconName: IconName,
  text: string,
  title: string,
): HTMLButtonElement {
  const button = document.createElement('button')
  button.type = 'button'
  button.className = 'collab-editor-icon-button has-text'
  button.dataset.command = command
  button.append(icon(iconName), text)
  button.title = title
  button.setAttribute('aria-label', title)
  return button
}

/**
 * Builds the group: `button[data-command=history]` (`aria-expanded` while the panel is open),
 * `button[data-command=export-markdown]`, `button[data-command=export-html]`, and a
 * `.collab-editor-toolbar-message` that says when a download failed.
 */
export function createDocumentActions(options: DocumentActionsOptions): DocumentActions {
  const element = document.createElement('span')
  element.className = 'collab-editor-toolbar-group collab-editor-document-actions'
  element.setAttribute('role', 'group')
  element.setAttribute('aria-label', 'Document')
  const message = element.appendChild(document.createElement('span'))
  message.className = 'collab-editor-toolbar-message'
  message.setAttribute('role', 'alert')
  message.hidden = true

  const historyButton = toolbarButton('history', 'history', 'History', 'Version history')
  historyButton.setAttribute('aria-expanded', 'false')
  const history = createHistoryPanel({
    api: options.api,
    host: options.host,
    onToggle: (isOpen) => {
      historyButton.classList.toggle('is-active', isOpen)
      historyButton.setAttribute('aria-expanded', String(isOpen))
    },
  })
  historyButton.addEventListener('click', () => {
    if (history.isOpen) history.close()
    else history.open()
  })
  element.append(historyButton)

  for (const { format, text, title } of exports) {
    const button = element.appendChild(toolbarButton(`export-${format}`, 'download', text, title))
    button.addEventListener('click', () => {
      message.hidden = true
      button.disabled = true
      void downloadExport(options.api, options.documentName, format)
        .catch((error: unknown) => {
          message.textContent = `Download failed: ${describeApiError(error)}`
          message.hidden = false
        })
        .finally(() => (button.disabled = false))
    })
  }
  return {
    element,
    close: () => history.close(),
    destroy: () => history.destroy(),
  }
}
