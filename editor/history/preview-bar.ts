// The bar above a version preview: which version it is, a legend of the authors' colours, and
// "Restore this version" behind an inline confirmation, or closing the preview.
import { formatAbsoluteTime, formatRelativeTime } from './relative-time.js'
import { type Version, versionTitle } from './version.js'

/** What the legend explains: who added text, in which colour, and who deleted text. */
export interface Legend {
  added: ReadonlyArray<{ user: string; color: string }>
  removed: readonly string[]
}

/** What the bar's buttons do. */
export interface PreviewBarActions {
  /** Restores the version; the bar shows the rejection's message (from `describe`). */
  restore(version: Version): Promise<void>
  close(): void
  describe(error: unknown): string
}

/** The bar's element and the functions that say what the preview shows. */
export interface PreviewBar {
  readonly element: HTMLElement
  showLoading(version: Version): void
  showChanges(version: Version, legend: Legend): void
  showError(version: Version, message: string): void
}

function button(parent: HTMLElement, action: string, label: string): HTMLButtonElement {
  const element = parent.appendChild(document.createElement('button'))
  element.type = 'button'
  element.dataset.action = action
  element.textContent = label
  return element
}

function sample(tag: 'ins' | 'del', label: string): HTMLElement {
  const element = document.createElement(tag)
  element.className = 'collab-editor-legend-sample'
  element.dataset.change = tag === 'ins' ? 'added' : 'removed'
  element.textContent = label
  return element
}

function renderLegend({ added, removed }: Legend): HTMLElement[] {
  if (added.length === 0 && removed.length === 0) {
    const none = document.createElement('li')
    none.textContent = 'No changes since the version before'
    return [none]
  }
  const items = added.map(({ user, color }) => {
    const item = document.createElement('li')
    item.dataset.author = user
    item.style.setProperty('--change-color', color)
    const swatch = item.appendChild(document.createElement('span'))
    swatch.className = 'collab-editor-legend-swatch'
    item.append(user)
    return item
  })
  const key = document.createElement('li')
  key.className = 'collab-editor-legend-key'
  if (added.length > 0) key.append(sample('ins', 'added'))
  if (removed.length > 0) {
    const deletions = key.appendChild(document.createElement('span'))
    deletions.className = 'collab-editor-legend-deletions'
    deletions.append(sample('del', 'deleted'), ` by ${removed.join(', ')}`)
  }
  return [...items, key]
}

/**
 * Builds `.collab-editor-preview-bar`: the version's title and time, `ul.collab-editor-legend`
 * (one `li[data-author]` per author of additions, then a sample of each kind of change),
 * `button[data-action=restore]`, which opens `.collab-editor-confirm` with
 * `button[data-action=confirm-restore]`, and `button[data-action=close-preview]`.
 */
export function createPreviewBar(actions: PreviewBarActions): PreviewBar {
  const element = document.createElement('div')
  element.className = 'collab-editor-preview-bar'
  const heading = element.appendChild(document.createElement('div'))
  heading.className = 'collab-editor-preview-heading'
  const title = heading.appendChild(document.createElement('strong'))
  const time = heading.appendChild(document.createElement('time'))
  const restore = button(heading, 'restore', 'Restore this version')
  restore.classList.add('is-primary')
  button(heading, 'close-preview', 'Close preview').addEventListener('click', () => actions.close())

  const legend = element.appendChild(document.createElement('ul'))
  legend.className = 'collab-editor-legend'
  legend.setAttribute('aria-label', 'Changes since the version before, by author')

  const confirm = element.appendChild(document.createElement('div'))
  confirm.className = 'collab-editor-confirm'
  confirm.setAttribute('role', 'alertdialog')
  confirm.setAttribute('aria-label', 'Restore this version?')
  const question = confirm.appendChild(document.createElement('p'))
  question.textContent =
    'Replace the document with this version? Everyone editing it sees the change at once; ' +
    'the current content is kept as a version.'
  const confirmRestore = button(confirm, 'confirm-restore', 'Restore')
  confirmRestore.classList.add('is-danger')
  const cancel = button(confirm, 'cancel-restore', 'Cancel')
  const message = element.appendChild(document.createElement('p'))
  message.className = 'collab-editor-form-error'
  message.setAttribute('role', 'alert')

  let shown: Version | undefined
  const setConfirming = (isConfirming: boolean): void => {
    confirm.hidden = !isConfirming
    restore.disabled = isConfirming
  }
  const showVersion = (version: Version): void => {
    shown = version
    title.textContent = versionTitle(version)
    time.dateTime = version.createdAt.toISOString()
    time.title = formatAbsoluteTime(version.createdAt)
    time.textContent = formatRelativeTime(version.createdAt, new Date())
    setConfirming(false)
    message.hidden = true
    confirmRestore.disabled = false
    confirmRestore.textContent = 'Restore'
  }
  restore.addEventListener('click', () => {
    setConfirming(true)
    confirmRestore.focus()
  })
  cancel.addEventListener('click', () => setConfirming(false))
  confirmRestore.addEventListener('click', () => {
    const version = shown
    if (!version) return
    confirmRestore.disabled = true
    confirmRestore.textContent = 'Restoring…'
    actions.restore(version).catch((error: unknown) => {
      if (shown !== version) return
      setConfirming(false)
      message.textContent = actions.describe(error)
      message.hidden = false
    })
  })

  return {
    element,
    showLoading(version) {
      showVersion(version)
      legend.replaceChildren(
        Object.assign(document.createElement('li'), { textContent: 'Loading…' }),
      )
      restore.disabled = true
    },
    showChanges(version, entries) {
      showVersion(version)
      legend.replaceChildren(...renderLegend(entries))
    },
    showError(version, text) {
      showVersion(version)
      legend.replaceChildren()
      message.textContent = text
      message.hidden = false
    },
  }
}
