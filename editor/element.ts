// The <collab-editor> custom element: createEditor driven by HTML attributes, re-created when
// they change. Defining it is left to the caller (embed.ts does it for the bundle).
import { type CollabEditor, createEditor, type EditorEvents } from './index.js'

/** Attributes the element reads; changing one re-creates the editor. */
const elementAttributes = [
  'server',
  'document',
  'user-name',
  'user-color',
  'token',
  'read-only',
  'no-offline-cache',
] as const

/** What the element class needs from the page it runs in. */
export interface ElementConfig {
  /** Server used when the `server` attribute is absent. */
  defaultServerUrl: string
  /** Stylesheet added to `document.head` once, before the first editor is shown. */
  stylesheetUrl?: string
}

/** The element's instance interface. */
export interface CollabEditorElement extends HTMLElement {
  /** The editor, once the element is connected with valid attributes. */
  readonly editor: CollabEditor | undefined
}

/**
 * Builds the element class. Reflects the connection as the `status` attribute (`connecting`,
 * `connected`, `offline`) and a `synced` attribute, and re-dispatches the editor's events as
 * `status`, `synced` and `presence` CustomEvents (the value in `detail`).
 */
export function createCollabEditorElementClass(
  config: ElementConfig,
): CustomElementConstructor & { new (): CollabEditorElement } {
  return class extends HTMLElement implements CollabEditorElement {
    static observedAttributes = [...elementAttributes]
    #editor: CollabEditor | undefined
    #isRenderQueued = false

    get editor(): CollabEditor | undefined {
      return this.#editor
    }

    connectedCallback(): void {
      if (config.stylesheetUrl) addStylesheetOnce(config.stylesheetUrl)
      this.#queueRender()
    }

    disconnectedCallback(): void {
      this.#destroyEditor()
    }

    attributeChangedCallback(): void {
      if (this.isConnected) this.#queueRender()
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
      this.replaceChildren()
      try {
        this.#editor = createEditor(this, {
          serverUrl: this.getAttribute('server') ?? config.defaultServerUrl,
          document: this.getAttribute('document') ?? '',
          user: {
            name: this.getAttribute('user-name') || undefined,
            color: this.getAttribute('user-color') || undefined,
          },
          token: this.getAttribute('token') ?? undefined,
          readOnly: this.hasAttribute('read-only'),
          offlineCache: !this.hasAttribute('no-offline-cache'),
        })
      } catch (error) {
        if (!(error instanceof RangeError)) throw error
        const message = this.appendChild(document.createElement('p'))
        message.className = 'collab-editor-error'
        message.textContent = `collab-editor: ${error.message}`
        return
      }
      const editor = this.#editor
      this.setAttribute('status', editor.status)
      const forward = <K extends keyof EditorEvents>(type: K): void => {
        editor.on(type, (detail) => this.dispatchEvent(new CustomEvent(type, { detail })))
      }
      editor.on('status', (status) => this.setAttribute('status', status))
      editor.on('synced', (isSynced) => this.toggleAttribute('synced', isSynced))
      forward('status')
      forward('synced')
      forward('presence')
    }

    #destroyEditor(): void {
      this.#editor?.destroy()
      this.#editor = undefined
      this.removeAttribute('status')
      this.removeAttribute('synced')
    }
  }
}

function addStylesheetOnce(href: string): void {
  const isPresent = [...document.querySelectorAll('link[rel="stylesheet"]')].some(
    (link) => (link as HTMLLinkElement).href === href,
  )
  if (isPresent) return
  const link = document.createElement('link')
  link.rel = 'stylesheet'
  link.href = href
  document.head.append(link)
}
