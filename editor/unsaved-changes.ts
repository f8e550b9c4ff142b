// Taking back this editor's own changes that the server refused (a read-only connection, a
// document at its size limit), so the page shows what the server has and a reconnection does not
// send them again. A change is taken back the way Mod-z takes one back, one transaction at a time.
import * as Y from 'yjs'

/**
 * The editor's own changes that the server is not known to have. The server does not acknowledge
 * updates; they count as saved once a connection that carried them has closed without the
 * server refusing anything.
 */
export interface UnsavedChanges {
  /** A connection closed without a refusal: every change made so far reached the server. */
  markSaved(): void
  /** Takes back the latest change (4413). False when there was none to take back. */
  revertLatest(): boolean
  /** Takes back every change not known to be saved (a read-only connection). */
  revertUnsaved(): void
}

/**
 * Records the changes to `scope` made in transactions with one of `origins` (the editor's own
 * typing and undo), each on its own. Lives as long as the scope's Y.Doc.
 */
export function trackUnsavedChanges(
  scope: Y.XmlFragment,
  origins: readonly unknown[],
): UnsavedChanges {
  // Its own undo manager: the editor's merges changes made within 500 ms into one undo step,
  // which could take back saved text with the refused change.
  const changes = new Y.UndoManager(scope, { trackedOrigins: new Set(origins), captureTimeout: 0 })
  const doc = scope.doc as Y.Doc

  const revert = (count: number): boolean => {
    if (changes.undoStack.length === 0) return false
    for (let step = 0; step < count && changes.undoStack.length > 0; step++) changes.undo()
    // Forget the taken-back changes: the undo manager keeps deleted content for redo, which would
    // make the next sync send all of it again (too large again, after a 4413). Unkept, it is
    // collected like any deleted content.
    const deletions = changes.redoStack.map((item) => item.deletions)
    changes.clear(false, true)
    if (doc.gc) for (const deleteSet of deletions) Y.tryGc(deleteSet, doc.store, doc.gcFilter)
    return true
  }

  return {
    markSaved: () => changes.clear(true, false),
    revertLatest: () => revert(1),
    revertUnsaved: () => void revert(Infinity),
  }
}
