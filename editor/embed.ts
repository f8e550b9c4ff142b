// Entry of the embeddable bundle (dist/public/editor.js): the public API plus <collab-editor>,
// defined on load. The stylesheet is inside the bundle; the default server is where the bundle
// itself was loaded from.
import { createCollabEditorElementClass } from './element.js'

export { createEditor, editorSchema, fragmentName } from './index.js'
export type {
  CollabEditor,
  ConnectionProblem,
  ConnectionProblemKind,
  ConnectionStatus,
  EditorEvents,
  EditorOptions,
  EditorTheme,
  PresentUser,
  SaveState,
  UserIdentity,
} from './index.js'
export type { CollabEditorElement } from './element.js'

const bundleUrl = new URL(import.meta.url)

/** The `<collab-editor>` class this bundle defines. */
export const CollabEditorElementClass = createCollabEditorElementClass({
  defaultServerUrl: `${bundleUrl.protocol === 'https:' ? 'wss:' : 'ws:'}//${bundleUrl.host}`,
})

if (!customElements.get('collab-editor'))
  customElements.define('collab-editor', CollabEditorElementClass)
