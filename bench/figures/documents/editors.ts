// Stock y-websocket clients (with `ws` as their WebSocket) that keep editing documents while
// document-figures.ts takes a backup: each types one character into its document's first
// paragraph every `intervalMs`.
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { documentFragmentName } from '../../../content/document-content.js'
import { until } from '../../../test/helpers/until.js'

/** Editing clients started by `startEditors`; the caller stops them. */
export interface Editors {
  /** Characters typed so far, all clients together. */
  edits(): number
  /** Stops typing and disconnects; throws when a client had lost its connection. */
  stop(): void
}

/** The Y.XmlText of the first paragraph of a document in the editor's layout. */
function firstText(doc: Y.Doc): Y.XmlText {
  const paragraph = doc.getXmlFragment(documentFragmentName).get(0)
  const text = paragraph instanceof Y.XmlElement ? paragraph.get(0) : undefined
  if (!(text instanceof Y.XmlText)) throw new Error('the document does not start with a paragraph')
  return text
}

/** Connects one client per document, waits until each has synced, then starts typing. */
export async function startEditors(
  wsUrl: string,
  documents: readonly string[],
  intervalMs = 50,
): Promise<Editors> {
  // Each provider listens for the process's exit; ten of them pass Node's default warning limit.
  const listenerLimit = process.getMaxListeners()
  process.setMaxListeners(listenerLimit + documents.length)
  const providers = documents.map(
    (name) =>
      new WebsocketProvider(wsUrl, name, new Y.Doc(), {
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
      }),
  )
  const destroyAll = (): void => {
    for (const provider of providers) {
      provider.destroy()
      // The awareness keeps a timer until its document is destroyed.
      provider.doc.destroy()
    }
    process.setMaxListeners(listenerLimit)
  }
  try {
    await until(() => providers.every((provider) => provider.synced), {
      timeoutMs: 30_000,
      what: 'every editor synced',
    })
  } catch (error) {
    destroyAll()
    throw error
  }
  let edits = 0
  const timers = providers.map((provider) =>
    setInterval(() => {
      firstText(provider.doc).insert(0, 'x')
      edits += 1
    }, intervalMs),
  )
  return {
    edits: () => edits,
    stop: () => {
      for (const timer of timers) clearInterval(timer)
      // A client the server closed (a limit, an error) would have stopped editing unnoticed.
      const lost = providers.filter((provider) => !provider.wsconnected).length
      destroyAll()
      if (lost > 0) throw new Error(`${lost} editors lost their connection while editing`)
    },
  }
}
