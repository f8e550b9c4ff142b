// The others' carets and selections: y-prosemirror's cursor plugin with its class names and
// markup, in each person's colour. A caret's name label shows for a moment after that person's
// last activity (their caret moved or they typed) and while the caret is hovered; of labels that
// would overlap, only the most recently active one shows.
import { Plugin } from 'prosemirror-state'
import type { DecorationAttrs } from 'prosemirror-view'
import { yCursorPlugin } from 'y-prosemirror'
import type { Awareness } from 'y-protocols/awareness'
import type * as Y from 'yjs'
import { readIdentity } from './presence.js'
import { isHexColor, labelTextColor } from './user-colors.js'

/** How long a caret's label shows after its person's last activity. */
export const labelShowMs = 3000

/** The plugins that draw the remote carets; the editor owns them and destroys them with itself. */
export interface RemoteCursors {
  /** y-prosemirror's cursor plugin and the one that keeps labels from overlapping. */
  readonly plugins: Plugin[]
  destroy(): void
}

interface AwarenessChange {
  added: number[]
  updated: number[]
  removed: number[]
}

function overlaps(a: DOMRect, b: DOMRect): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
}

/**
 * Creates the remote cursors of `awareness` (the awareness of `doc`). Must be created before the
 * EditorView: its awareness listener has to see a change before y-prosemirror redraws the carets.
 * Carets are `span.ProseMirror-yjs-cursor[data-client-id]` with the label as their child `div`;
 * `data-active` marks a caret whose person was active lately, `data-covered` one whose label
 * would cover a more recent one. Selections are `.ProseMirror-yjs-selection`.
 */
export function createRemoteCursors(awareness: Awareness, doc: Y.Doc): RemoteCursors {
  const lastActiveAtMs = new Map<number, number>()
  /** Each client's awareness cursor as last seen, as JSON, to tell a move from other changes. */
  const cursorsSeen = new Map<number, string>()
  /** Each client's caret as last drawn (y-prosemirror draws a new one when it moves). */
  const carets = new Map<number, HTMLElement>()
  const hideTimers = new Map<number, ReturnType<typeof setTimeout>>()
  let layoutFrame = 0
  let editorElement: HTMLElement | undefined

  // All reads first, then all writes: one layout, however many carets.
  const layoutLabels = (): void => {
    layoutFrame = 0
    const right = editorElement?.getBoundingClientRect().right ?? Infinity
    const drawn = [...carets]
      .filter(([, caret]) => caret.isConnected)
      .sort(([a], [b]) => (lastActiveAtMs.get(b) ?? 0) - (lastActiveAtMs.get(a) ?? 0))
      .map(([, caret]) => ({
        caret,
        caretRect: caret.getBoundingClientRect(),
        label: caret.querySelector('div')?.getBoundingClientRect(),
      }))
    const shown: DOMRect[] = []
    const covered = new Set<HTMLElement>()
    const flipped = new Set<HTMLElement>()
    for (const { caret, caretRect, label } of drawn) {
      if (!label) continue
      // A label that would stick out past the editor's right edge hangs to the caret's left.
      const isFlipped = caretRect.left + label.width > right
      if (isFlipped) flipped.add(caret)
      if (!caret.hasAttribute('data-active')) continue
      // Where the label will be, flipped or not: it may not be there yet.
      const left = isFlipped ? caretRect.right - label.width : caretRect.left
      const rect = new DOMRect(left, label.top, label.width, label.height)
      if (shown.some((other) => overlaps(other, rect))) covered.add(caret)
      else shown.push(rect)
    }
    for (const { caret } of drawn) {
      caret.toggleAttribute('data-covered', covered.has(caret))
      caret.toggleAttribute('data-flipped', flipped.has(caret))
    }
  }
  const scheduleLayout = (): void => {
    if (layoutFrame === 0) layoutFrame = requestAnimationFrame(layoutLabels)
  }

  const markActive = (clientId: number): void => {
    lastActiveAtMs.set(clientId, Date.now())
    carets.get(clientId)?.setAttribute('data-active', '')
    clearTimeout(hideTimers.get(clientId))
    hideTimers.set(
      clientId,
      setTimeout(() => {
        hideTimers.delete(clientId)
        carets.get(clientId)?.removeAttribute('data-active')
        scheduleLayout()
      }, labelShowMs),
    )
    scheduleLayout()
  }
  const forget = (clientId: number): void => {
    clearTimeout(hideTimers.get(clientId))
    for (const map of [hideTimers, lastActiveAtMs, cursorsSeen, carets]) map.delete(clientId)
  }

  const onAwarenessChange = ({ added, updated, removed }: AwarenessChange): void => {
    for (const clientId of [...added, ...updated]) {
      if (clientId === awareness.clientID) continue
      const cursor = JSON.stringify(awareness.getStates().get(clientId)?.cursor ?? null)
      if (cursor === cursorsSeen.get(clientId)) continue
      cursorsSeen.set(clientId, cursor)
      if (cursor !== 'null') markActive(clientId)
    }
    for (const clientId of removed) forget(clientId)
  }
  // Typing before one's caret leaves its relative position, and so the awareness, unchanged:
  // the clients whose clock advanced in a remote transaction are the ones who typed.
  const onTransaction = (transaction: Y.Transaction): void => {
    if (transaction.local) return
    for (const [clientId, clock] of transaction.afterState) {
      const cursor: unknown = awareness.getStates().get(clientId)?.cursor
      const hasCaret = cursor !== undefined && cursor !== null
      const hasTyped = clock > (transaction.beforeState.get(clientId) ?? 0)
      if (hasTyped && hasCaret && clientId !== doc.clientID) markActive(clientId)
    }
  }
  awareness.on('change', onAwarenessChange)
  doc.on('afterTransaction', onTransaction)

  const colorOf = (user: { color?: unknown }): string =>
    typeof user.color === 'string' && isHexColor(user.color) ? user.color : '#5f6368'
  const buildCaret = (user: { name: string; color: string }, clientId: number): HTMLElement => {
    const color = colorOf(user)
    const caret = document.createElement('span')
    caret.className = 'ProseMirror-yjs-cursor'
    caret.dataset.clientId = String(clientId)
    caret.style.setProperty('--collab-user-color', color)
    caret.style.borderColor = color
    caret.toggleAttribute('data-active', hideTimers.has(clientId))
    const label = document.createElement('div')
    label.style.backgroundColor = color
    label.style.color = labelTextColor(color)
    label.textContent = user.name
    // Word joiners on both sides keep the caret from breaking the line, as y-prosemirror does.
    caret.append('\u2060', label, '\u2060')
    carets.set(clientId, caret)
    return caret
  }
  const buildSelection = (user: { color: string }): DecorationAttrs => ({
    class: 'ProseMirror-yjs-selection',
    style: `--collab-user-color: ${colorOf(user)}`,
  })

  const cursorPlugin = yCursorPlugin(awareness, {
    awarenessStateFilter: (localId: number, clientId: number, state: Record<string, unknown>) =>
      localId !== clientId && readIdentity(state) !== undefined,
    cursorBuilder: buildCaret,
    selectionBuilder: buildSelection,
  }) as Plugin
  // Carets move whenever the document changes; their labels are laid out again after each update.
  const layoutPlugin = new Plugin({
    view: (view) => {
      editorElement = view.dom
      return { update: scheduleLayout }
    },
  })

  return {
    plugins: [cursorPlugin, layoutPlugin],
    destroy() {
      awareness.off('change', onAwarenessChange)
      doc.off('afterTransaction', onTransaction)
      for (const timer of hideTimers.values()) clearTimeout(timer)
      cancelAnimationFrame(layoutFrame)
    },
  }
}
