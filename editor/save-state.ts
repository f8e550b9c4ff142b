// Whether what the user typed is safely stored, as the status bar shows it and embedders read it
// (`editor.saveState`, the `save-state` event, `data-save-state`).
import type { ConnectionProblem, ConnectionProblemKind } from './connection-problem.js'
import type { ConnectionStatus } from './document-sync.js'

/**
 * `saved`: connected, synced, and the server has acknowledged storing everything this editor
 * holds. `saving`: connected (or connecting) with something not acknowledged yet. `offline`: no
 * connection; edits wait on this device. `error`: the server refused this editor's changes, or
 * the editor stopped for good (`saveProblem` says why).
 */
export type SaveState = 'saving' | 'saved' | 'offline' | 'error'

/** What the save state follows. */
export interface SaveInputs {
  status: ConnectionStatus
  problem: ConnectionProblem | null
  /** The server refused this editor's changes because it may only read. */
  isRefusedReadOnly: boolean
  /** Connected, synced, and everything stored (DocumentSync.isAllStored). */
  isAllStored: boolean
}

const refusalReasons: Partial<Record<ConnectionProblemKind, string>> = {
  'document-too-large': 'the document has reached its size limit',
  forbidden: 'you no longer have access to this document',
  'session-expired': 'your session expired',
  'document-deleted': 'the document was deleted',
}

/** Why changes are not saved, when the state is `error`; null otherwise. */
export function saveProblem(inputs: SaveInputs): string | null {
  if (inputs.isRefusedReadOnly) return 'you can only read this document'
  const { problem } = inputs
  if (!problem) return null
  if (problem.kind === 'document-too-large' || !problem.isRetrying) {
    return refusalReasons[problem.kind] ?? problem.message
  }
  return null
}

/** The save state for these inputs. */
export function saveStateOf(inputs: SaveInputs): SaveState {
  if (saveProblem(inputs) !== null) return 'error'
  if (inputs.status === 'offline') return 'offline'
  return inputs.isAllStored ? 'saved' : 'saving'
}

/** The words the status bar shows for a save state. */
export function saveStateLabel(
  inputs: SaveInputs,
  { isOfflineCached }: { isOfflineCached: boolean },
): string {
  switch (saveStateOf(inputs)) {
    case 'error':
      return `Not saved: ${saveProblem(inputs)}`
    case 'offline':
      return isOfflineCached
        ? 'Offline — changes kept on this device'
        : 'Offline — changes kept until this page is closed'
    case 'saving':
      return inputs.status === 'connecting' ? 'Connecting…' : 'Saving…'
    case 'saved':
      return 'Saved'
  }
}
