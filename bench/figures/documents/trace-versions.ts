// Part 1 of document-figures.ts: the editing trace, in the editor's layout, sent to a running
// server in slices with a named version after each; then the version routes timed on it: list,
// one version's content in three formats, and restore.
import * as Y from 'yjs'
import { documentFragmentName } from '../../../content/document-content.js'
import { createEditorDoc } from '../history/designs.js'
import { type EditingTrace, applyTraceTransaction, loadTrace } from '../../../test/helpers/trace.js'
import {
  type Summary,
  formatBytes,
  formatMs,
  jsonBody,
  jsonOf,
  request,
  summarise,
  table,
  textOf,
} from './http.js'
import type { ServerProcess } from './processes.js'

/** A version as the API lists it (the fields the figures read). */
interface VersionJson {
  id: string
  name: string | null
  kind: string
  bytes: number
}

/** Options of `traceVersionFigures`. */
export interface TraceOptions {
  slices: number
  repetitions: number
  progress: (message: string) => void
}

/** The document the figures use, and its API path. */
const documentPath = '/api/documents/trace'

/**
 * The trace replayed into a document in the editor's layout (the XmlFragment `prosemirror`, one
 * paragraph, one Y.XmlText), as one v1 update per slice of transactions: each slice's update
 * against the state after the slice before.
 */
function sliceUpdates(trace: EditingTrace, slices: number): Uint8Array[] {
  const { doc, text } = createEditorDoc(true)
  const perSlice = Math.ceil(trace.txns.length / slices)
  const updates: Uint8Array[] = []
  let vector = Y.encodeStateVector(new Y.Doc())
  for (let slice = 0; slice < slices; slice++) {
    for (const transaction of trace.txns.slice(slice * perSlice, (slice + 1) * perSlice)) {
      applyTraceTransaction(text, transaction)
    }
    updates.push(Y.encodeStateAsUpdate(doc, vector))
    vector = Y.encodeStateVector(doc)
  }
  if (text.toString() !== trace.endContent) throw new Error('the replay does not end in endContent')
  return updates
}

/** The text of the one paragraph of a document in the editor's layout, given as a v1 update. */
function textOfState(state: Uint8Array): string {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, state)
  const paragraph = doc.getXmlFragment(documentFragmentName).get(0)
  const text = paragraph instanceof Y.XmlElement ? paragraph.get(0) : undefined
  if (!(text instanceof Y.XmlText)) throw new Error('the document is not one paragraph of text')
  // Typed `any` in Yjs: an XmlText without formatting is its characters.
  return String(text.toString())
}

/** Times `call` `repetitions` times after one untimed warm-up. */
async function timed(repetitions: number, call: () => Promise<number>): Promise<Summary> {
  await call()
  const durationsMs: number[] = []
  for (let i = 0; i < repetitions; i++) durationsMs.push(await call())
  return summarise(durationsMs)
}

const listVersions = async (server: ServerProcess) =>
  jsonOf<{ versions: VersionJson[] }>(await request(`${server.httpUrl}${documentPath}/versions`))
    .versions

const documentBytes = async (server: ServerProcess) =>
  jsonOf<{ bytes: number }>(await request(`${server.httpUrl}${documentPath}`)).bytes

/** Runs part 1 against `server` (which must not hold a document named `trace`): Markdown. */
export async function traceVersionFigures(
  server: ServerProcess,
  { slices, repetitions, progress }: TraceOptions,
): Promise<string> {
  progress('replaying the trace into the editor layout')
  const trace = loadTrace()
  const updates = sliceUpdates(trace, slices)
  const base = `${server.httpUrl}${documentPath}`
  const putMs: number[] = []
  const versionMs: number[] = []
  progress(`sending it in ${slices} slices, a named version after each`)
  for (const [slice, update] of updates.entries()) {
    const put = await request(`${base}/content?format=yjs`, {
      method: 'PUT',
      body: update,
      headers: { 'content-type': 'application/octet-stream' },
      expect: slice === 0 ? [201] : [200],
    })
    putMs.push(put.ms)
    const name = `slice ${slice + 1}/${slices}`
    const posted = await request(`${base}/versions`, {
      method: 'POST',
      ...jsonBody({ name }),
      expect: [201],
    })
    versionMs.push(posted.ms)
  }
  if (textOfState((await request(`${base}/content?format=yjs`)).body) !== trace.endContent) {
    throw new Error('the server holds another text than the trace ends with')
  }

  const versions = await listVersions(server)
  const byName = (slice: number): VersionJson => {
    const version = versions.find((entry) => entry.name === `slice ${slice}/${slices}`)
    if (!version) throw new Error(`no version named slice ${slice}/${slices}`)
    return version
  }
  const middle = byName(Math.ceil(slices / 2))
  const restoreTargets = [
    byName(Math.max(1, Math.round(slices / 4))),
    byName(Math.round((3 * slices) / 4)),
  ]
  const bytesBefore = await documentBytes(server)
  const storageBefore = versions.reduce((sum, version) => sum + version.bytes, 0)

  progress(`timing the version routes, ${repetitions} times each`)
  const rows: Array<[string, string, Summary, string]> = []
  /** Times `call`, then notes what `note` says of it (a size, a count). */
  const add = async (
    what: string,
    route: string,
    call: () => Promise<number>,
    note: () => string,
  ): Promise<void> => {
    const summary = await timed(repetitions, call)
    rows.push([what, route, summary, note()])
  }
  let bodyBytes = 0
  const fetchContent = (path: string) => async () => {
    const reply = await request(`${base}${path}`)
    bodyBytes = reply.body.length
    return reply.ms
  }
  const bodySize = () => formatBytes(bodyBytes)
  await add(
    'list versions',
    'GET …/versions',
    fetchContent('/versions'),
    () => `${versions.length} versions, ${bodySize()} of JSON`,
  )
  for (const format of ['yjs', 'json', 'markdown']) {
    await add(
      `fetch one version (${format})`,
      `GET …/versions/{id}/content?format=${format}`,
      fetchContent(`/versions/${middle.id}/content?format=${format}`),
      bodySize,
    )
  }
  await add(
    'current document (yjs), for reference',
    'GET …/content?format=yjs',
    fetchContent('/content?format=yjs'),
    bodySize,
  )
  let restores = 0
  let lastRestored = restoreTargets[0]!
  const restore = async (): Promise<number> => {
    // Alternate, so that every restore changes the content (and saves the state before it).
    lastRestored = restoreTargets[restores++ % 2]!
    const reply = await request(`${base}/versions/${lastRestored.id}/restore`, { method: 'POST' })
    const { restored } = jsonOf<{ restored: string }>(reply)
    if (restored !== lastRestored.id) {
      throw new Error(`restored ${restored}, not ${lastRestored.id}`)
    }
    return reply.ms
  }
  await add(
    'restore a version',
    'POST …/versions/{id}/restore',
    restore,
    () => `${restores} restores (warm-up included), each saving a restore version`,
  )
  const now = textOf(await request(`${base}/content?format=markdown`))
  const expected = textOf(
    await request(`${base}/versions/${lastRestored.id}/content?format=markdown`),
  )
  if (now !== expected)
    throw new Error('after the last restore the document differs from its version')

  const after = await listVersions(server)
  const storageAfter = after.reduce((sum, version) => sum + version.bytes, 0)
  const bytesAfter = await documentBytes(server)
  const sizes = table(
    ['what', 'bytes'],
    [
      [`document after the trace (GET /api/documents/trace, \`bytes\`)`, formatBytes(bytesBefore)],
      [`middle version (\`${middle.name}\`, \`bytes\` in the list)`, formatBytes(middle.bytes)],
      [`last version (\`${byName(slices).name}\`)`, formatBytes(byName(slices).bytes)],
      [`all ${versions.length} versions (sum of \`bytes\`)`, formatBytes(storageBefore)],
      [
        `document after the ${restores} restores (holding \`${lastRestored.name}\`)`,
        formatBytes(bytesAfter),
      ],
      [`all ${after.length} versions after the restores`, formatBytes(storageAfter)],
    ],
  )
  const setup = table(
    ['setup step', 'count', 'median ms', 'p95 ms'],
    [
      ['PUT …/content?format=yjs (one slice)', putMs, summarise(putMs)] as const,
      ['POST …/versions (named)', versionMs, summarise(versionMs)] as const,
    ].map(([what, all, summary]) => [
      what,
      String(all.length),
      formatMs(summary.medianMs),
      formatMs(summary.p95Ms),
    ]),
  )
  const timings = table(
    ['operation', 'route', 'n', 'median ms', 'p95 ms', 'size / note'],
    rows.map(([what, route, summary, size]) => [
      what,
      `\`${route}\``,
      String(summary.count),
      formatMs(summary.medianMs),
      formatMs(summary.p95Ms),
      size,
    ]),
  )
  return [
    `The trace (${trace.txns.length.toLocaleString('en')} transactions, ${trace.endContent.length.toLocaleString('en')} characters at the end) replayed into the editor's layout and sent as ${slices} \`PUT …/content?format=yjs\` updates, each followed by a named version. The fetched version is \`${middle.name}\`; restores alternate between \`${restoreTargets[0]!.name}\` and \`${restoreTargets[1]!.name}\`. Each figure is ${repetitions} requests after one untimed warm-up, one at a time, wall time to the last byte of the body.`,
    timings,
    sizes,
    "A version's `bytes` is what the store keeps of it: versions are a chain, the oldest a whole state and each later one a diff against the one before (`server/rooms/version-history.ts`), so fetching a version merges the chain up to it and returns the whole document, larger than its `bytes`. Restoring rewrites the paragraph anew, so the live document drops the trace's deleted history and shrinks.",
    setup,
  ].join('\n\n')
}
