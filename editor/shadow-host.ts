// Where an editor's DOM lives: an open shadow root that has adopted the editor's stylesheet, so
// that the host page's CSS does not restyle the editor and the editor's CSS stays inside. Also
// the theme (light, dark, or following the system), which the stylesheet reads from data-theme.
import { editorStyles } from './styles/index.js'

/** The editor's colour theme: `auto` follows the system's `prefers-color-scheme`. */
export type EditorTheme = 'light' | 'dark' | 'auto'

const editorThemes: readonly string[] = ['light', 'dark', 'auto'] satisfies EditorTheme[]

/** Whether `value` names a theme. */
export function isEditorTheme(value: unknown): value is EditorTheme {
  return typeof value === 'string' && editorThemes.includes(value)
}

/** Shows `root` (the `.collab-editor` element) in `theme`. */
export function applyTheme(root: HTMLElement, theme: EditorTheme): void {
  root.dataset.theme = theme
}

// One stylesheet per document (a constructed sheet can only be adopted in the document whose
// window made it), shared by all the document's editors.
const sheets = new WeakMap<Document, CSSStyleSheet>()

function editorStyleSheet(document: Document): CSSStyleSheet {
  let sheet = sheets.get(document)
  if (!sheet) {
    const view = document.defaultView
    sheet = view ? new view.CSSStyleSheet() : new CSSStyleSheet()
    sheet.replaceSync(editorStyles)
    sheets.set(document, sheet)
  }
  return sheet
}

/** Adds the editor's stylesheet to `shadowRoot`'s adopted stylesheets, unless it is there. */
export function adoptEditorStyles(shadowRoot: ShadowRoot): void {
  const sheet = editorStyleSheet(shadowRoot.ownerDocument)
  if (!shadowRoot.adoptedStyleSheets.includes(sheet))
    shadowRoot.adoptedStyleSheets = [...shadowRoot.adoptedStyleSheets, sheet]
}

// y-prosemirror (1.3.7) makes a DOM range with `view.root.createRange()`, which only a document
// has (yjs/y-prosemirror#196): in a shadow root, every remote update that arrives while the editor
// has focus would throw and never be shown. ProseMirror lends `getSelection` the same way.
function lendCreateRange(shadowRoot: ShadowRoot): void {
  if ('createRange' in shadowRoot) return
  const document = shadowRoot.ownerDocument
  Object.defineProperty(shadowRoot, 'createRange', { value: () => document.createRange() })
}

// Not `instanceof ShadowRoot`: a container in another frame has that frame's ShadowRoot.
function isShadowRoot(container: Element | ShadowRoot): container is ShadowRoot {
  return container.nodeType === container.DOCUMENT_FRAGMENT_NODE
}

/** The shadow root an editor renders into; `remove` takes away what `mountShadowHost` added. */
export interface ShadowHost {
  readonly shadowRoot: ShadowRoot
  remove(): void
}

/**
 * Prepares the shadow root for an editor in `container`: a ShadowRoot (as `<collab-editor>`
 * passes its own) is used as it is; in an Element, a `<div class="collab-editor-host">` with an
 * open shadow root is appended. Either way the root has adopted the editor's stylesheet (and
 * can make DOM ranges, as y-prosemirror expects of it).
 */
export function mountShadowHost(container: Element | ShadowRoot): ShadowHost {
  if (isShadowRoot(container)) {
    adoptEditorStyles(container)
    lendCreateRange(container)
    return { shadowRoot: container, remove: () => undefined }
  }
  const host = container.ownerDocument.createElement('div')
  host.className = 'collab-editor-host'
  const shadowRoot = host.attachShadow({ mode: 'open' })
  adoptEditorStyles(shadowRoot)
  lendCreateRange(shadowRoot)
  container.append(host)
  return { shadowRoot, remove: () => host.remove() }
}
