// A read-only rendering of one version with what changed since the version before it: its own
// EditorView and ySyncPlugin, bound to a throwaway Y.Doc, so the live editor (and everyone
// editing with it) is never touched. y-prosemirror's snapshot rendering does the diff.
import { EditorState, Plugin } from 'prosemirror-state'
import { EditorView } from 'prosemirror-view'
import { type ProsemirrorBinding, ySyncPlugin, ySyncPluginKey } from 'y-prosemirror'
import * as Y from 'yjs'
import { fragmentName } from '../fragment-name.js'
import type { ChangeAttribution } from './change-authors.js'
import { type ChangeUsers, changeSchema, listChangeUsers } from './change-schema.js'

/** What to render: two full states as Yjs v2 updates, and who made the changes. */
export interface VersionChanges {
  /** The version shown. */
  current: Uint8Array
  /** The version before it (an empty document's update for the oldest). */
  previous: Uint8Array
  attribution: ChangeAttribution
}

/** A rendered preview; the caller destroys it. */
export interface VersionPreview {
  readonly element: HTMLElement
  /** Who made the changes it shows (none when nothing changed). */
  readonly users: ChangeUsers
  destroy(): void
}

/** The v2 update of an empty document: what the oldest version is compared with. */
export const emptyUpdate: Uint8Array = Y.encodeStateAsUpdateV2(new Y.Doc())

/**
 * Renders `changes` into a new `.collab-editor-preview-doc` element (read-only ProseMirror in
 * the change schema), added hidden to `container`; resolves once y-prosemirror has drawn the
 * diff, which it does on a timer. Showing the element is up to the caller.
 */
export function renderVersionChanges(
  container: HTMLElement,
  changes: VersionChanges,
): Promise<VersionPreview> {
  const element = container.appendChild(document.createElement('div'))
  element.className = 'collab-editor-preview-doc'
  element.hidden = true
  const doc = new Y.Doc()
  const { attribution } = changes
  let isRendering = false
  return new Promise((resolve) => {
    // Resolves at the first new document once the snapshot was asked for: y-prosemirror's
    // rendering replaces the whole document in one transaction.
    const whenRendered = new Plugin({
      view: () => ({
        update(view, previousState) {
          if (!isRendering || view.state.doc === previousState.doc) return
          isRendering = false
          resolve({ element, users: listChangeUsers(view.state.doc), destroy })
        },
      }),
    })
    const view = new EditorView(element, {
      state: EditorState.create({
        schema: changeSchema,
        plugins: [
          ySyncPlugin(doc.getXmlFragment(fragmentName), {
            // _renderSnapshot dereferences permanentUserData without a check; the stand-in
            // has every member it reads (change-authors.ts).
            permanentUserData: attribution.users as unknown as Y.PermanentUserData,
            colorMapping: attribution.colorMapping,
            colors: [...attribution.colorMapping.values()],
          }),
          whenRendered,
        ],
      }),
      editable: () => false,
      attributes: { 'aria-label': 'Version preview', 'aria-readonly': 'true' },
    })
    const destroy = (): void => {
      view.destroy()
      doc.destroy()
      element.remove()
    }
    const { binding } = ySyncPluginKey.getState(view.state) as { binding: ProsemirrorBinding }
    isRendering = true
    // Typed for Y.Snapshot, but v2 updates are passed through to _renderSnapshot, which takes
    // both and applies them to a history document of its own.
    binding.renderSnapshot(
      changes.current as unknown as Y.Snapshot,
      changes.previous as unknown as Y.Snapshot,
    )
  })
}
