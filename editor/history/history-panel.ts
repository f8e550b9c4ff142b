// The history side panel: the document's versions (version-list.ts), "Name this version"
// (name-version-form.ts), and a preview of the selected version with what changed since the one
// before (version-preview.ts, preview-bar.ts), shown in place of the live document, which keeps
// syncing underneath. A restore goes through the API; its result arrives over the WebSocket.
import * as Y from 'yjs'
import { ApiError, type DocumentApi, describeApiError } from '../document-api.js'
import { attributeChanges } from './change-authors.js'
import { createNameVersionForm } from './name-version-form.js'
import { createPreviewBar } from './preview-bar.js'
import { type Version, versionTitle } from './version.js'
import { createVersionList } from './version-list.js'
import { emptyUpdate, renderVersionChanges, type VersionPreview } from './version-preview.js'

/** How often the "… ago" times are brought up to date while the panel is open. */
const timeRefreshMs = 30_000

/** The API's answer about a document nobody has written to yet (or a deleted one). */
function isNeverWritten(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'COLLAB_DOCUMENT_NOT_FOUND'
}

/** Options of `createHistoryPanel`. */
export interface HistoryPanelOptions {
  api: DocumentApi
  /**
   * The row that holds the live document: the preview and the panel are added to it, and it has
   * `data-previewing` while a preview is shown (styles/frame.css then hides the live document).
   */
  host: HTMLElement
  /** Called when the panel opens or closes. */
  onToggle: (isOpen: boolean) => void
}

/** The panel; it starts closed. */
export interface HistoryPanel {
  readonly isOpen: boolean
  /** Opens the panel and loads the versions (again). */
  open(): void
  /** Closes the preview and the panel. */
  close(): void
  /** Closes it and removes its elements. */
  destroy(): void
}

/**
 * Builds `aside.collab-editor-history` (heading, `button[data-action=refresh-history]`,
 * `button[data-action=close-history]`, the name form, a `.collab-editor-history-message` and
 * the version list) and `section.collab-editor-preview` (the preview bar, then the preview).
 */
export function createHistoryPanel({ api, host, onToggle }: HistoryPanelOptions): HistoryPanel {
  const panel = document.createElement('aside')
  panel.className = 'collab-editor-history'
  panel.setAttribute('aria-label', 'Version history')
  panel.hidden = true
  const header = panel.appendChild(document.createElement('div'))
  header.className = 'collab-editor-history-header'
  const heading = header.appendChild(document.createElement('h2'))
  heading.textContent = 'History'
  const headerButton = (action: string, label: string, title: string): HTMLButtonElement => {
    const button = header.appendChild(document.createElement('button'))
    button.type = 'button'
    button.dataset.action = action
    button.textContent = label
    button.title = title
    button.setAttribute('aria-label', title)
    return button
  }
  const refresh = headerButton('refresh-history', '↻', 'Refresh the list')
  const closeButton = headerButton('close-history', '×', 'Close the history')
  const nameForm = createNameVersionForm(
    async (name) => {
      const version = await api.nameVersion(name)
      await load(`Saved “${versionTitle(version)}”`)
    },
    (error) =>
      isNeverWritten(error)
        ? 'Nothing to save yet: the document is empty'
        : describeApiError(error),
  )
  const message = document.createElement('p')
  message.className = 'collab-editor-history-message'
  message.setAttribute('role', 'status')
  const list = createVersionList((version) => select(version))
  panel.append(nameForm.element, message, list.element)

  const previewSection = document.createElement('section')
  previewSection.className = 'collab-editor-preview'
  previewSection.setAttribute('aria-label', 'Version preview')
  previewSection.hidden = true
  const bar = createPreviewBar({
    restore: async (version) => {
      await api.restoreVersion(version.id)
      closePreview()
      await load(`Restored “${versionTitle(version)}”`)
    },
    close: () => closePreview(),
    describe: describeApiError,
  })
  const previewBody = document.createElement('div')
  previewBody.className = 'collab-editor-preview-body'
  previewSection.append(bar.element, previewBody)
  host.append(previewSection, panel)

  let isOpen = false
  let versions: Version[] = []
  let selectedId: string | null = null
  let preview: VersionPreview | undefined
  /** Numbers selections; what arrives for a superseded one is dropped. */
  let selection = 0
  let listRequest: AbortController | undefined
  let timeRefresh: ReturnType<typeof setInterval> | undefined
  /** Versions' content as v2 updates, by id: versions never change. */
  const updates = new Map<string, Promise<Uint8Array>>()

  const setMessage = (text: string, isError = false): void => {
    message.textContent = text
    message.hidden = text === ''
    message.classList.toggle('is-error', isError)
  }

  // Never rejects: a failure is shown in the panel.
  const load = async (done = ''): Promise<void> => {
    listRequest?.abort()
    const request = (listRequest = new AbortController())
    if (versions.length === 0) setMessage('Loading versions…')
    try {
      versions = await api.listVersions(request.signal)
    } catch (error) {
      if (request.signal.aborted) return
      // A document nobody has written to yet has no versions.
      if (!isNeverWritten(error)) {
        setMessage(describeApiError(error), true)
        return
      }
      versions = []
    }
    list.show(versions, selectedId)
    const empty = 'No versions yet: they are saved as the document changes, or name one now.'
    setMessage(done || (versions.length === 0 ? empty : ''))
  }

  const versionUpdate = (id: string): Promise<Uint8Array> => {
    let update = updates.get(id)
    if (!update) {
      update = api.fetchVersionUpdate(id).then((v1) => Y.convertUpdateFormatV1ToV2(v1))
      // A failed fetch is tried again next time.
      void update.catch(() => updates.delete(id))
      updates.set(id, update)
    }
    return update
  }

  const showChanges = async (version: Version, request: number): Promise<void> => {
    const before = versions[versions.findIndex(({ id }) => id === version.id) + 1]
    try {
      const [current, previous] = await Promise.all([
        versionUpdate(version.id),
        before ? versionUpdate(before.id) : emptyUpdate,
      ])
      if (request !== selection) return
      const attribution = attributeChanges(versions, version)
      const rendered = await renderVersionChanges(previewBody, { current, previous, attribution })
      if (request !== selection) return rendered.destroy()
      preview = rendered
      rendered.element.hidden = false
      const { added, removed } = rendered.users
      const legend = {
        added: added.map((user) => ({ user, color: attribution.colorOf(user) })),
        removed,
      }
      bar.showChanges(version, legend)
    } catch (error) {
      if (request === selection) bar.showError(version, describeApiError(error))
    }
  }

  const select = (version: Version): void => {
    const request = ++selection
    selectedId = version.id
    list.show(versions, selectedId)
    preview?.destroy()
    preview = undefined
    previewSection.hidden = false
    host.toggleAttribute('data-previewing', true)
    bar.showLoading(version)
    void showChanges(version, request)
  }

  const closePreview = (): void => {
    selection++
    selectedId = null
    preview?.destroy()
    preview = undefined
    previewSection.hidden = true
    host.removeAttribute('data-previewing')
    list.show(versions, null)
  }

  const close = (): void => {
    if (!isOpen) return
    isOpen = false
    closePreview()
    listRequest?.abort()
    clearInterval(timeRefresh)
    nameForm.reset()
    panel.hidden = true
    onToggle(false)
  }

  refresh.addEventListener('click', () => void load())
  closeButton.addEventListener('click', close)

  return {
    get isOpen() {
      return isOpen
    },
    open() {
      if (!isOpen) {
        isOpen = true
        panel.hidden = false
        timeRefresh = setInterval(() => list.refreshTimes(), timeRefreshMs)
        onToggle(true)
      }
      void load()
    },
    close,
    destroy() {
      close()
      panel.remove()
      previewSection.remove()
    },
  }
}
