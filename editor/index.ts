// Public API of the collaborative editor: createEditor mounts a ProseMirror editor bound to a Yjs
// document on a collab server, with toolbar, remote cursors, presence list and status.
// Registers no custom element (see element.ts); never imports server/, persistence/ or node:*.
import { dropCursor } from 'prosemirror-dropcursor'
import { gapCursor } from 'prosemirror-gapcursor'
import { EditorState } from 'prosemirror-state'
import { EditorView } from 'prosemirror-view'
import { ySyncPlugin, ySyncPluginKey, yUndoPlugin, yUndoPluginKey } from 'y-prosemirror'
import { Awareness } from 'y-protocols/awareness'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { validateRoomName } from '../protocol/room-name.js'
import type { ConnectionProblem } from './connection-problem.js'
import { createDocumentActions } from './document-actions.js'
import { createDocumentApi, normalizeApiUrl } from './document-api.js'
import { editingUiPlugins } from './editing-ui.js'
import { type ConnectionStatus, syncDocument, normalizeServerUrl } from './document-sync.js'
import { Emitter } from './emitter.js'
import { fragmentName } from './fragment-name.js'
import { createLocalUser } from './local-user.js'
import { buildBlockPlugins, buildInputRules, buildKeymaps } from './plugins.js'
import {
  listPresentUsers,
  normalizeRequestedUser,
  type PresentUser,
  type UserIdentity,
} from './presence.js'
import { createPresenceList } from './presence-list.js'
import { createProblemNotice } from './problem-notice.js'
import { createRemoteCursors } from './remote-cursors.js'
import { applyTheme, type EditorTheme, isEditorTheme, mountShadowHost } from './shadow-host.js'
import { editorSchema } from './schema.js'
import { type SaveInputs, type SaveState, saveStateLabel, saveStateOf } from './save-state.js'
import { createStatusBar } from './status-bar.js'
import { trackUnsavedChanges } from './unsaved-changes.js'
import { createWordCount } from './word-count.js'

export type { ConnectionProblem, ConnectionProblemKind } from './connection-problem.js'
export type { ConnectionStatus } from './document-sync.js'
export type { SaveState } from './save-state.js'
export type { PresentUser, UserIdentity } from './presence.js'
export type { EditorTheme } from './shadow-host.js'
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
  /**
   * How others see this user. Without a name, the name this browser kept (the last one set from
   * the page) or else a random friendly one; without a colour, one no one else present shows.
   * Tabs with the same `id` (else the same name and colour) are listed as one person.
   */
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
  /** Colour theme; `auto` follows the system's `prefers-color-scheme`. Default `auto`. */
  theme?: EditorTheme
}

/** Events of an editor; `on` returns a function that removes the listener. */
export interface EditorEvents {
  status: ConnectionStatus
  /** True once the server's state has arrived; false after a disconnect until it syncs again. */
  synced: boolean
  /** Everyone in the document, one entry per person (however many tabs), this user first. */
  presence: PresentUser[]
  /** The server refused an update because this user may only read; the editor is now read-only. */
  readonly: boolean
  /** A connection problem began or changed; null when it is over. */
  problem: ConnectionProblem | null
  /** Whether this user's work is stored changed (`saveState`). */
  'save-state': SaveState
}

/** A mounted editor. The caller owns it and calls `destroy` when done. */
export interface CollabEditor {
  /** The root element (`.collab-editor`), inside the editor's open shadow root. */
  readonly root: HTMLElement
  readonly view: EditorView
  readonly doc: Y.Doc
  readonly provider: WebsocketProvider
  /** This user's name, colour and ID as shown to the others now. */
  readonly user: UserIdentity
  /**
   * Renames this user for the others, and for the next editors in this browser that are given no
   * name. Throws RangeError for an empty name.
   */
  setUserName(name: string): void
  readonly status: ConnectionStatus
  readonly isSynced: boolean
  /** True when this user may only read: the `readOnly` option, or the server said so. */
  readonly isReadOnly: boolean
  /** What the server refused, while the editor shows it; null when all is well. */
  readonly problem: ConnectionProblem | null
  /**
   * `saved` only once the server has acknowledged storing everything typed so far; `saving`,
   * `offline` (edits wait on this device), or `error` (the server refused them). Also the
   * root's `data-save-state` attribute.
   */
  readonly saveState: SaveState
  /** The colour theme; setting it restyles the editor in place (RangeError for a bad value). */
  theme: EditorTheme
  /** Resolves when the document has first synced with the server (never, if destroyed first). */
  readonly whenSynced: Promise<void>
  users(): PresentUser[]
  on<K extends keyof EditorEvents>(type: K, listener: (value: EditorEvents[K]) => void): () => void
  /** Leaves the document (others see this user go), closes the connection and removes the UI. */
  destroy(): void
}

/**
 * Mounts a collaborative editor in an open shadow root: that of a `<div
 * class="collab-editor-host">` appended to `container`, or `container` itself when it is a shadow
 * root. Throws RangeError for a bad server or API URL, document name, user colour, theme or a
 * `getToken` that is not a function.
 */
export function createEditor(
  container: Element | ShadowRoot,
  options: EditorOptions,
): CollabEditor {
  const serverUrl = normalizeServerUrl(options.serverUrl)
  const apiUrl = normalizeApiUrl(options.apiUrl ?? serverUrl)
  const room = validateRoomName(options.document)
  if (!room.ok) throw new RangeError(room.reason)
  const requestedUser = normalizeRequestedUser(options.user)
  if (options.getToken !== undefined && typeof options.getToken !== 'function')
    throw new RangeError('getToken must be a function that resolves to a token')
  const isReadOnlyOption = options.readOnly ?? false
  let theme = options.theme ?? 'auto'
  if (!isEditorTheme(theme)) throw new RangeError('theme must be light, dark or auto')

  const doc = new Y.Doc()
  const awareness = new Awareness(doc)
  const localUser = createLocalUser(awareness, requestedUser)
  const remoteCursors = createRemoteCursors(awareness, doc)

  const root = document.createElement('div')
  root.className = 'collab-editor'
  applyTheme(root, theme)
  const toolbar = document.createElement('div')
  toolbar.className = 'collab-editor-toolbar'
  toolbar.setAttribute('role', 'toolbar')
  const main = document.createElement('div')
  main.className = 'collab-editor-main'
  const body = main.appendChild(document.createElement('div'))
  body.className = 'collab-editor-body'
  const statusBar = createStatusBar()
  const presenceList = createPresenceList({ onRename: (name) => localUser.rename(name) })
  statusBar.element.append(presenceList.element)
  const wordCount = createWordCount()
  statusBar.element.append(wordCount.element)
  const notice = createProblemNotice()
  if (!isReadOnlyOption) root.append(toolbar)
  root.append(notice.element, main, statusBar.element)

  const fragment = doc.getXmlFragment(fragmentName)
  const plugins = [
    ySyncPlugin(fragment),
    ...remoteCursors.plugins,
    yUndoPlugin(),
    buildInputRules(),
    ...buildBlockPlugins(),
    ...buildKeymaps(),
    dropCursor(),
    gapCursor(),
    wordCount.plugin,
  ]
  if (!isReadOnlyOption) plugins.push(...editingUiPlugins(toolbar))
  const view = new EditorView(body, {
    state: EditorState.create({ schema: editorSchema, plugins }),
    editable: () => !isReadOnlyOption,
    // A textbox to assistive technology, which lets it carry a name and a placeholder.
    attributes: {
      role: 'textbox',
      'aria-multiline': 'true',
      'aria-label': `Document ${room.name}`,
      spellcheck: 'false',
    },
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
  let isRefusedReadOnly = false
  const saveInputs = (): SaveInputs => ({
    status: sync.status(),
    problem: sync.problem(),
    isRefusedReadOnly,
    isAllStored: sync.isAllStored(),
  })
  let saveState = saveStateOf(saveInputs())
  const showSaveState = (): void => {
    const inputs = saveInputs()
    const next = saveStateOf(inputs)
    root.dataset.saveState = next
    statusBar.showStatus({
      status: inputs.status,
      saveState: next,
      label: saveStateLabel(inputs, { isOfflineCached: sync.cache !== undefined }),
      isReadOnly: sync.isReadOnly(),
    })
    if (next === saveState) return
    saveState = next
    events.emit('save-state', next)
  }
  const showState = (): void => {
    const problem = sync.problem()
    root.dataset.status = sync.status()
    root.toggleAttribute('data-view-only', sync.isReadOnly())
    if (problem) root.dataset.problem = problem.kind
    else delete root.dataset.problem
    showSaveState()
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
  // The awareness changes with every remote caret move; the people present change less often.
  let shownUsers = ''
  const showUsers = (): void => {
    const users = listPresentUsers(awareness, localUser.identity())
    const signature = JSON.stringify(users)
    if (signature === shownUsers) return
    shownUsers = signature
    presenceList.show(users)
    events.emit('presence', users)
  }
  showState()
  showUsers()
  sync.events.on('status', showStatus)
  sync.events.on('readonly', (isReadOnly) => {
    isRefusedReadOnly = true
    showState()
    events.emit('readonly', isReadOnly)
  })
  sync.events.on('problem', (problem) => {
    showState()
    events.emit('problem', problem)
  })
  sync.events.on('stored', showSaveState)
  sync.events.on('synced', (synced) => {
    isSynced = synced
    root.toggleAttribute('data-synced', synced)
    showSaveState()
    if (synced) resolveSynced()
    events.emit('synced', synced)
  })
  awareness.on('change', showUsers)
  localUser.onChange(showUsers)
  // The others' awareness states come before the first sync: then a free colour can be chosen.
  sync.events.on('synced', (synced) => {
    if (synced) localUser.join()
  })
  const shadowHost = mountShadowHost(container)
  shadowHost.shadowRoot.append(root)

  let isDestroyed = false
  return {
    root,
    view,
    doc,
    provider,
    get user() {
      return localUser.identity()
    },
    setUserName: (name) => localUser.rename(name),
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
    get saveState() {
      return saveState
    },
    get theme() {
      return theme
    },
    set theme(value) {
      if (!isEditorTheme(value)) throw new RangeError('theme must be light, dark or auto')
      theme = value
      applyTheme(root, theme)
    },
    whenSynced,
    users: () => listPresentUsers(awareness, localUser.identity()),
    on: (type, listener) => events.on(type, listener),
    destroy() {
      if (isDestroyed) return
      isDestroyed = true
      awareness.off('change', showUsers)
      localUser.destroy()
      remoteCursors.destroy()
      presenceList.destroy()
      events.clear()
      actions?.destroy()
      view.destroy()
      sync.destroy()
      doc.destroy()
      root.remove()
      shadowHost.remove()
    },
  }
}
