// An app that runs the collaboration server inside its own http.Server, beside its own route,
// and follows its documents with the typed hooks. Run it with
//   node --import tsx examples/embedded-server.ts        (PORT, DATA_DIR to change the defaults)
// then open http://127.0.0.1:3000/hello (the app's own route) and http://127.0.0.1:3000/ (the
// editor demo, when `npm run build` has built it).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { editorFormats } from '../content/editor-formats.js'
import { createPrometheusMetrics } from '../metrics/prometheus.js'
import { openLevelDbStore } from '../persistence/leveldb/store.js'
import { type CollabHooks, createCollabServer } from '../server/index.js'
import { createLogger } from '../server/logger.js'

const logger = createLogger('warn')
const store = await openLevelDbStore({ directory: process.env.DATA_DIR ?? './example-data' })

/** The app's own record of its documents: what it learns from the hooks. */
const edits = new Map<string, number>()
const hooks: CollabHooks = {
  onLoad(document) {
    console.log(JSON.stringify({ hook: 'onLoad', document: document.name }))
  },
  onChange(document, { authors, origin }) {
    edits.set(document.name, (edits.get(document.name) ?? 0) + 1)
    console.log(
      JSON.stringify({ hook: 'onChange', document: document.name, authors, origin: origin.kind }),
    )
  },
  onUnload(document) {
    const text = document.read((doc) => doc.getText('text').toString())
    console.log(JSON.stringify({ hook: 'onUnload', document: document.name, text }))
  },
  onStoreError({ document, operation, error }) {
    console.error(
      JSON.stringify({ hook: 'onStoreError', document, operation, error: String(error) }),
    )
  },
}

const collab = createCollabServer({
  store,
  logger,
  hooks,
  metrics: createPrometheusMetrics(),
  // The document API's content formats (JSON, HTML, Markdown, text) by the editor's schema.
  formats: editorFormats,
  staticDirectory: fileURLToPath(new URL('../dist/public', import.meta.url)),
})

// The app answers its own routes and leaves the rest (probes, /metrics, /api/, the editor) to
// collab.
const app = createServer((request, response) => {
  if (request.url === '/hello') {
    response.writeHead(200, { 'Content-Type': 'application/json' })
    response.end(JSON.stringify({ hello: 'from the app', edits: Object.fromEntries(edits) }))
    return
  }
  collab.handleRequest(request, response)
})
collab.attach(app)
app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const { port } = app.address() as AddressInfo
  console.log(JSON.stringify({ listening: `http://127.0.0.1:${port}` }))
})

process.once('SIGTERM', () => {
  void collab
    .close()
    .then(() => store.close())
    .then(() => app.close())
})
