// Public API of the collaborative editor: createEditor mounts a ProseMirror editor bound to a Yjs
// document on a collab server, with toolbar, remote cursors, presence list and status.
// Registers no custom element (see element.ts); never imports server/, persistence/ or node:*.
import { dropCursor } from 'prosemirror-dropcursor'
import { gapCursor } from 'prosemirror-gapcursor'
import { EditorState } from 'prosemirror-state'
import { EditorView } from 'prosemirror-view'
import {
  yCursorPlugin,
  ySyncPlugin,
  ySyncPluginKey,
  yUndoPlugin,
  yUndoPluginKey,
} from 'y-prosemirror'
import { Awareness } from 'y-protocols/awareness'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { validateRoomName } from '../protocol/room-name.js'
import type { ConnectionProblem } from './connection-problem.js'
import { createDocumentActions } from './document-actions.js'
import { createDocumentApi, normalizeApiUrl } from './document-api.js'
import { type ConnectionStatus, syncDocument, normalizeServerUrl } from './document-sync.js'
import { Emitter } from './emitter.js'
import { fragmentName } from './fragment-name.js'
import { buildInputRules, buildKeymaps } from './plugins.js'
import {
  listPresentUsers,
  normalizeUser,
  type PresentUser,
  randomColor,
  randomUserName,
  type UserIdentity,
} from './presence.js'
import { createProblemNotice } from './problem-notice.js'
import { editorSchema } from './schema.js'
import { createStatusBar } from './status-bar.js'
import { toolbarPlugin } from './toolbar.js'
import { trackUnsavedChanges } from './unsaved-changes.js'

export type { ConnectionProblem, ConnectionProblemKind } from './connection-problem.js'
export type { ConnectionStatus } from './document-sync.js'
export type { PresentUser, UserIdentity } from './presence.js'
export { fragmentName } from './fragment-name.js'
export { editorSchema } from './schema.js'

/** Options of `createEditor`. */
export interface EditorOptions {
  /** The collab server, `ws://host:port` or `wss://…` (`http(s)://` is accepted too). */
  serverUrl: string
  /**
   * The server's HTTP API (versions, exports), `http://host:port` or `https://…`. Default: the
   * server URL over http(s) instead of ws(s).
   */
  apiUrl?: string
  /** The document (room) name: 1–255 characters, no control characters. */
  document: string
  /** How others see this user; a random friendly name and colour fill what is missing. */
  user?: Partial<UserIdentity>
  /** Sent as the `token` query parameter of the WebSocket URL (of the first connection, when
   * `getToken` is given too), and with API calls as a bearer token while the WebSocket uses it. */
  token?: string
  /**
   * Called for a fresh token before every connection attempt (the first, unless `token` is
   * given, and every reconnection: after the server closed with 4401, after a failed attempt).
   * While it is pending the editor does not connect; when it rejects, the editor retries with
   * backoff. The document and the unsent edits stay as they are.
   */
  getToken?: () => Promise<string>
  /** Show the document without letting this user change it (no toolbar). Default false. */
  readOnly?: boolean
  /** Keep the document in IndexedDB so offline edits survive a reload. Default true. */
  offlineCache?: boolean
  /** Longest wait between reconnection attempts (exponential backoff). Default 5000 ms. */
  maxBackoffMs?: number
}

/** Events of an editor; `on` returns a function that removes the listener. */
export interface EditorEvents {
  status: ConnectionStatus
  /** True once the server's state has arrived; false after a disconnect until it syncs again. */
  synced: boolean
  /** Everyone in the document, this user first. */
  presence: PresentUser[]
  /** The server refused an update because this user may only read; the editor is now read-only. */
  readonly: boolean
  /** A connection problem began or changed; null when it is over. */
  problem: ConnectionProblem | null
}

/** A mounted editor. The caller owns it and calls `destroy` when done. */
export interface CollabEditor {
  /** The root element (`.collab-editor`) inserted into the container. */
  readonly root: HTMLElement
  readonly view: EditorView
  readonly doc: Y.Doc
  readonly provider: WebsocketProvider
  /** This user's name and colour as shown to the others. */
  readonly user: UserIdentity
  readonly status: ConnectionStatus
  readonly isSynced: boolean
  /** True when this user may only read: the `readOnly` option, or the server said so. */
  readonly isReadOnly: boolean
  /** What the server refused, while the editor shows it; null when all is well. */
  readonly problem: ConnectionProblem | null
  /** Resolves when the document has first synced with the server (never, if destroyed first). */
  readonly whenSynced: Promise<void>
  users(): PresentUser[]
  on<K extends keyof EditorEvents>(type: K, listener: (value: EditorEvents[K]) => void): () => void
  /** Leaves the document (others see this user go), closes the connection and removes the UI. */
  destroy(): void
}

/**
 * Mounts a collaborative editor at the end of `container`. Throws RangeError for a bad server
 * or API URL, document name, user colour or a `getToken` that is not a function.
 */
export function createEditor(container: HTMLElement, options: EditorOptions): CollabEditor {
  const serverUrl = normalizeServerUrl(options.serverUrl)
  const apiUrl = normalizeApiUrl(options.apiUrl ?? serverUrl)
  const room = validateRoomName(options.document)
  if (!room.ok) throw new RangeError(room.reason)
  const user = normalizeUser({
    name: options.user?.name ?? randomUserName(),
    color: options.user?.color ?? randomColor(),
  })
  if (options.getToken !== undefined && typeof options.getToken !== 'function')
    throw new RangeError('getToken must be a function that resolves to a token')
  const isReadOnlyOption = options.readOnly ?? false

  const doc = new Y.Doc()
  const awareness = new Awareness(doc)
  awareness.setLocalStateField('user', user)

  const root = document.createElement('div')
  root.className = 'collab-editor'
  const toolbar = document.createElement('div')
  toolbar.className = 'collab-editor-toolbar'
  toolbar.setAttribute('role', 'toolbar')
  const main = document.createElement('div')
  main.className = 'collab-editor-main'
  const body = main.appendChild(document.createElement('div'))
  body.className = 'collab-editor-body'
  const statusBar = createStatusBar()
  const notice = createProblemNotice()
  if (!isReadOnlyOption) root.append(toolbar)
  root.append(notice.element, main, statusBar.element)

  const fragment = doc.getXmlFragment(fragmentName)
  const plugins = [
    ySyncPlugin(fragment),
    yCursorPlugin(awareness),
    yUndoPlugin(),
    buildInputRules(),
    ...buildKeymaps(),
    dropCursor(),
    gapCursor(),
  ]
  if (!isReadOnlyOption) plugins.push(toolbarPlugin(toolbar))
  const view = new EditorView(body, {
    state: EditorState.create({ schema: editorSchema, plugins }),
    editable: () => !isReadOnlyOption,
    attributes: { 'aria-label': `Document ${room.name}`, spellcheck: 'false' },
  })
  const undoManager = (yUndoPluginKey.getState(view.state) as { undoManager: Y.UndoManager })
    .undoManager
  const sync = syncDocument(doc, {
    serverUrl,
    document: room.name,
    token: options.token,
    getToken: options.getToken,
    awareness,
    isReadOnly: isReadOnlyOption,
    // The editor's own changes: typing (the sync plugin's origin) and Mod-z / Mod-y.
    changes: trackUnsavedChanges(fragment, [ySyncPluginKey, undoManager]),
    offlineCache: options.offlineCache ?? true,
    maxBackoffMs: options.maxBackoffMs ?? 5000,
  })
  const { provider } = sync
  // The document group follows the formatting groups the toolbar plugin has just rendered.
  const actions = isReadOnlyOption
    ? undefined
    : createDocumentActions({
        api: createDocumentApi({
          apiUrl,
          document: room.name,
          token: () => provider.params.token,
        }),
        documentName: room.name,
        host: main,
      })
  if (actions) toolbar.append(actions.element)

  const events = new Emitter<EditorEvents>()
  let isSynced = false
  let resolveSynced: () => void = () => undefined
  const whenSynced = new Promise<void>((resolve) => (resolveSynced = resolve))
  // Read-only, or stopped for good: nothing typed now could reach the server.
  const isEditable = (): boolean => !sync.isReadOnly() && sync.problem()?.isRetrying !== false
  const showState = (): void => {
    const problem = sync.problem()
    root.dataset.status = sync.status()
    root.toggleAttribute('data-view-only', sync.isReadOnly())
    if (problem) root.dataset.problem = problem.kind
    else delete root.dataset.problem
    statusBar.showStatus({ status: sync.status(), problem, isReadOnly: sync.isReadOnly() })
    notice.show(problem)
    if (!isEditable()) {
      if (view.editable) view.setProps({ editable: () => false })
      toolbar.remove()
      actions?.close()
    }
  }
  const showStatus = (status: ConnectionStatus): void => {
    showState()
    events.emit('status', status)
  }
  const showUsers = (): void => {
    const users = listPresentUsers(awareness)
    statusBar.showUsers(users)
    events.emit('presence', users)
  }
  showState()
  showUsers()
  sync.events.on('status', showStatus)
  sync.events.on('readonly', (isReadOnly) => {
    showState()
    events.emit('readonly', isReadOnly)
  })
  sync.events.on('problem', (problem) => {
    showState()
    events.emit('problem', problem)
  })
  sync.events.on('synced', (synced) => {
    isSynced = synced
    root.toggleAttribute('data-synced', synced)
    if (synced) resolveSynced()
    events.emit('synced', synced)
  })
  awareness.on('change', showUsers)
  container.append(root)

  let isDestroyed = false
  return {
    root,
    view,
    doc,
    provider,
    user,
    get status() {
      return sync.status()
    },
    get isSynced() {
      return isSynced
    },
    get isReadOnly() {
      return sync.isReadOnly()
    },
    get problem() {
      return sync.problem()
    },
    whenSynced,
    users: () => listPresentUsers(awareness),
    on: (type, listener) => events.on(type, listener),
    destroy() {
      if (isDestroyed) return
      isDestroyed = true
      awareness.off('change', showUsers)
      events.clear()
      actions?.destroy()
      view.destroy()
      sync.destroy()
      doc.destroy()
      root.remove()
    },
  }
}
