// The <collab-editor> custom element: createEditor driven by HTML attributes (and the getToken
// property, as a function cannot be an attribute), rendered into the element's open shadow root
// and re-created when they change. Defining it is left to the caller (embed.ts does it for the
// bundle).
import { type CollabEditor, createEditor, type EditorEvents } from './index.js'
import { adoptEditorStyles, type EditorTheme, isEditorTheme } from './shadow-host.js'

/** Attributes the element reads; changing one re-creates the editor (`theme` restyles it). */
const elementAttributes = [
  'server',
  'api-url',
  'document',
  'user-name',
  'user-color',
  'user-id',
  'token',
  'read-only',
  'no-offline-cache',
  'theme',
] as const

/** What the element class needs from the page it runs in. */
export interface ElementConfig {
  /** Server used when the `server` attribute is absent. */
  defaultServerUrl: string
}

/** The element's instance interface. */
export interface CollabEditorElement extends HTMLElement {
  /** The editor, once the element is connected with valid attributes. */
  readonly editor: CollabEditor | undefined
  /** As the `getToken` option of createEditor; setting it re-creates the editor. */
  getToken: (() => Promise<string>) | undefined
}

/**
 * Builds the element class. The editor lives in the element's open shadow root (`shadowRoot`).
 * Reflects the connection as the `status` attribute (`connecting`, `connected`, `offline`), the
 * `save-state` attribute (`saving`, `saved`, `offline`, `error`), a `synced` attribute, a
 * `view-only` attribute while the user may only read and a `problem` attribute (the problem's
 * kind), and re-dispatches the editor's events as `status`, `save-state`, `synced`, `presence`,
 * `readonly` and `problem` CustomEvents (the value in `detail`).
 */
export function createCollabEditorElementClass(
  config: ElementConfig,
): CustomElementConstructor & { new (): CollabEditorElement } {
  return class extends HTMLElement implements CollabEditorElement {
    static observedAttributes = [...elementAttributes]
    #editor: CollabEditor | undefined
    #getToken: (() => Promise<string>) | undefined
    #isRenderQueued = false
    readonly #shadowRoot: ShadowRoot

    constructor() {
      super()
      this.#shadowRoot = this.attachShadow({ mode: 'open' })
      // Before any editor, so that the message of a bad attribute is styled too.
      adoptEditorStyles(this.#shadowRoot)
      // A page may set the property before the bundle has defined the element; that own
      // property would hide the accessor, so it is taken over here.
      if (Object.hasOwn(this, 'getToken')) {
        const getToken = (this as { getToken?: () => Promise<string> }).getToken
        Reflect.deleteProperty(this, 'getToken')
        this.getToken = getToken
      }
    }

    get editor(): CollabEditor | undefined {
      return this.#editor
    }

    get getToken(): (() => Promise<string>) | undefined {
      return this.#getToken
    }

    set getToken(getToken: (() => Promise<string>) | undefined) {
      this.#getToken = getToken
      if (this.isConnected) this.#queueRender()
    }

    connectedCallback(): void {
      this.#queueRender()
    }

    disconnectedCallback(): void {
      this.#destroyEditor()
    }

    attributeChangedCallback(name: string): void {
      if (name === 'theme' && this.#editor) this.#editor.theme = this.#theme()
      else if (this.isConnected) this.#queueRender()
    }

    // A missing or unknown value follows the system.
    #theme(): EditorTheme {
      const theme = this.getAttribute('theme')
      return isEditorTheme(theme) ? theme : 'auto'
    }

    // Several attributes set one after the other make one new editor, not one each.
    #queueRender(): void {
      if (this.#isRenderQueued) return
      this.#isRenderQueued = true
      queueMicrotask(() => {
        this.#isRenderQueued = false
        if (this.isConnected) this.#render()
      })
    }

    #render(): void {
      this.#destroyEditor()
      this.#shadowRoot.replaceChildren()
      try {
        this.#editor = createEditor(this.#shadowRoot, {
          serverUrl: this.getAttribute('server') ?? config.defaultServerUrl,
          apiUrl: this.getAttribute('api-url') ?? undefined,
          document: this.getAttribute('document') ?? '',
          user: {
            name: this.getAttribute('user-name') || undefined,
            color: this.getAttribute('user-color') || undefined,
            id: this.getAttribute('user-id') || undefined,
          },
          token: this.getAttribute('token') ?? undefined,
          getToken: this.#getToken,
          readOnly: this.hasAttribute('read-only'),
          offlineCache: !this.hasAttribute('no-offline-cache'),
          theme: this.#theme(),
        })
      } catch (error) {
        if (!(error instanceof RangeError)) throw error
        const message = this.#shadowRoot.appendChild(document.createElement('p'))
        message.className = 'collab-editor-error'
        message.textContent = `collab-editor: ${error.message}`
        return
      }
      const editor = this.#editor
      const reflect = (): void => {
        this.setAttribute('status', editor.status)
        this.setAttribute('save-state', editor.saveState)
        this.toggleAttribute('synced', editor.isSynced)
        this.toggleAttribute('view-only', editor.isReadOnly)
        if (editor.problem) this.setAttribute('problem', editor.problem.kind)
        else this.removeAttribute('problem')
      }
      reflect()
      const forward = <K extends keyof EditorEvents>(type: K): void => {
        editor.on(type, (detail) => {
          reflect()
          this.dispatchEvent(new CustomEvent(type, { detail }))
        })
      }
      forward('status')
      forward('synced')
      forward('presence')
      forward('readonly')
      forward('problem')
      forward('save-state')
    }

    #destroyEditor(): void {
      this.#editor?.destroy()
      this.#editor = undefined
      for (const name of ['status', 'save-state', 'synced', 'view-only', 'problem'])
        this.removeAttribute(name)
    }
  }
}
