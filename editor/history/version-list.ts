// The list of a document's versions in the history panel, newest first: title, kind, when (the
// exact time on hover) and who changed the document since the version before. Clicking one
// selects it.
import { formatAbsoluteTime, formatRelativeTime } from './relative-time.js'
import { authorName, type Version, versionTitle } from './version.js'

/** The list element and the functions that update it. */
export interface VersionList {
  readonly element: HTMLOListElement
  /** Shows `versions`, marking the one with `selectedId` as selected. */
  show(versions: readonly Version[], selectedId: string | null): void
  /** Updates the "… ago" times to now. */
  refreshTimes(): void
}

function renderAuthors(version: Version): HTMLElement {
  const element = document.createElement('span')
  element.className = 'collab-editor-version-authors'
  for (const [index, author] of version.authors.entries()) {
    if (index > 0) element.append(', ')
    element.append(authorName(author))
    if (!author.isVerified) {
      const mark = element.appendChild(document.createElement('span'))
      mark.className = 'collab-editor-unverified'
      mark.textContent = ' (unverified)'
      mark.title = 'Name given by their editor, not checked by the server'
    }
  }
  return element
}

function renderTime(version: Version, now: Date): HTMLTimeElement {
  const time = document.createElement('time')
  time.dateTime = version.createdAt.toISOString()
  time.title = formatAbsoluteTime(version.createdAt)
  time.textContent = formatRelativeTime(version.createdAt, now)
  return time
}

/**
 * Builds `ol.collab-editor-versions` with one `button.collab-editor-version[data-version-id]`
 * per version (`aria-pressed` on the selected one); `select` is called with the clicked version.
 */
export function createVersionList(select: (version: Version) => void): VersionList {
  const element = document.createElement('ol')
  element.className = 'collab-editor-versions'
  element.setAttribute('aria-label', 'Versions, newest first')
  let shown: Array<{ version: Version; time: HTMLTimeElement }> = []

  return {
    element,
    show(versions, selectedId) {
      const now = new Date()
      shown = []
      element.replaceChildren(
        ...versions.map((version) => {
          const item = document.createElement('li')
          const button = item.appendChild(document.createElement('button'))
          button.type = 'button'
          button.className = 'collab-editor-version'
          button.dataset.versionId = version.id
          button.dataset.kind = version.kind
          button.setAttribute('aria-pressed', String(version.id === selectedId))
          const head = button.appendChild(document.createElement('span'))
          head.className = 'collab-editor-version-head'
          const title = head.appendChild(document.createElement('span'))
          title.className = 'collab-editor-version-title'
          title.textContent = versionTitle(version)
          // A long name is cut to the panel's width.
          title.title = versionTitle(version)
          const kind = head.appendChild(document.createElement('span'))
          kind.className = 'collab-editor-version-kind'
          kind.textContent = version.kind
          const time = renderTime(version, now)
          button.append(time)
          if (version.authors.length > 0) button.append(renderAuthors(version))
          button.addEventListener('click', () => select(version))
          shown.push({ version, time })
          return item
        }),
      )
    },
    refreshTimes() {
      const now = new Date()
      for (const { version, time } of shown)
        time.textContent = formatRelativeTime(version.createdAt, now)
    },
  }
}
