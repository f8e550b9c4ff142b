// A server process for server-figures.ts: the real createCollabServer with the LevelDB store, in
// one of two modes. `durable` is the product (write-before-relay); `relay-first` resolves appends
// at once and writes behind, to measure what waiting for the write costs.
// Usage: node --import tsx bench/figures/figure-server.ts <durable|relay-first> <data dir>
import { openLevelDbStore } from '../../persistence/leveldb/store.js'
import type { DocStore } from '../../persistence/store.js'
import { createCollabServer } from '../../server/index.js'
import { createLogger } from '../../server/logger.js'

const [mode, directory] = process.argv.slice(2)
if ((mode !== 'durable' && mode !== 'relay-first') || !directory) {
  console.error('usage: figure-server.ts <durable|relay-first> <data dir>')
  process.exit(2)
}

const store = await openLevelDbStore({ directory })
let fakeSeq = 0
// Sequence numbers are made up here, so compaction is switched off below in this mode.
const relayFirst: DocStore = {
  load: (room) => store.load(room),
  read: (room) => store.read(room),
  append: (room, update) => {
    store.append(room, update).catch((error: unknown) => console.error(error))
    return Promise.resolve(++fakeSeq)
  },
  compact: (room, state, seq) => store.compact(room, state, seq),
  evict: (room) => store.evict(room),
  readRecord: (name) => store.readRecord(name),
  writeRecord: (name, value) => store.writeRecord(name, value),
  listDocuments: (query) => store.listDocuments(query),
  documentInfo: (room) => store.documentInfo(room),
  deleteDocument: (room) => store.deleteDocument(room),
  importDocument: (room, content) => store.importDocument(room, content),
  putVersion: (room, info, content) => store.putVersion(room, info, content),
  listVersions: (room) => store.listVersions(room),
  readVersion: (room, id) => store.readVersion(room, id),
  deleteVersion: (room, id) => store.deleteVersion(room, id),
  close: () => store.close(),
}
const server = createCollabServer({
  store: mode === 'durable' ? store : relayFirst,
  logger: createLogger('warn', process.stderr),
  limits:
    mode === 'durable'
      ? {}
      : {
          compactAfterUpdates: Number.MAX_SAFE_INTEGER,
          compactAfterBytes: Number.MAX_SAFE_INTEGER,
        },
})
const address = await server.listen(0, '127.0.0.1')
console.log(JSON.stringify({ port: address.port }))
process.on('SIGTERM', () => {
  server
    .close()
    .then(() => store.close())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    )
})
