// The Markdown of history-figures.ts: one table of the two version-history designs (and B as a
// delta chain), the command, the machine, the checks that passed and how each figure is measured.
import { cpus, totalmem } from 'node:os'

/** Render times of one design over the rendered versions, in milliseconds. */
export interface RenderTimes {
  /** One render per version: the first time each is shown. */
  firstMs: number[]
  /** Per version, the median of the renders after the first. */
  repeatMs: number[]
}

/** Everything the report shows; sizes in bytes, times in milliseconds. */
export interface HistoryFigures {
  command: string
  runSeconds: number
  /** 1-minute load averages at the start and at the end of the run. */
  loadAverages: [number, number]
  transactions: number
  every: number
  versions: number
  reps: number
  rounds: number
  a: {
    documentBytes: number
    versionBytes: number
    largestVersionBytes: number
    gzipBytes: number
    heapBytes: number
    applyMs: number
    versionMs: number
    renders: RenderTimes
  }
  b: {
    documentBytes: number
    versionBytes: number
    largestVersionBytes: number
    gzipBytes: number
    heapBytes: number
    historyHeapBytes: number
    applyMs: number
    versionMs: number
    renders: RenderTimes
  }
  chain: {
    versionBytes: number
    largestVersionBytes: number
    gzipBytes: number
    historyHeapBytes: number
    diffMs: number
    renders: RenderTimes
  }
  renderedVersions: number
  removed: { runs: number; characters: number }
  added: { runs: number; characters: number }
}

/** Nearest-rank percentile: of 20 values, p95 is the 19th smallest. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y)
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** The nearest-rank median (the lower middle value of an even count). */
export const median = (values: readonly number[]): number => percentile(values, 50)

function bytes(count: number): string {
  if (count >= 2 ** 20) return `${(count / 2 ** 20).toFixed(2)} MiB`
  return `${(count / 1024).toFixed(0)} KiB`
}
const ms = (value: number): string => `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`
const count = (value: number): string => value.toLocaleString('en-US')
const spread = (values: number[]): string => `${ms(median(values))} / ${ms(percentile(values, 95))}`

/** The report as Markdown, ending with a newline. */
export function formatReport(f: HistoryFigures): string {
  const { a, b, chain } = f
  const rows = [
    [
      'final document (Y.encodeStateAsUpdate)',
      bytes(a.documentBytes),
      bytes(b.documentBytes),
      'as B',
    ],
    [
      `${f.versions} versions stored (largest one)`,
      `snapshots ${bytes(a.versionBytes)} (${bytes(a.largestVersionBytes)})`,
      `states ${bytes(b.versionBytes)} (${bytes(b.largestVersionBytes)})`,
      `diffs ${bytes(chain.versionBytes)} (${bytes(chain.largestVersionBytes)})`,
    ],
    [
      '**storage: document + versions**',
      `**${bytes(a.documentBytes + a.versionBytes)}**`,
      `**${bytes(b.documentBytes + b.versionBytes)}**`,
      `**${bytes(b.documentBytes + chain.versionBytes)}**`,
    ],
    ['same, each record gzipped', bytes(a.gzipBytes), bytes(b.gzipBytes), bytes(chain.gzipBytes)],
    ['heap of the loaded live document', bytes(a.heapBytes), bytes(b.heapBytes), 'as B'],
    [
      'heap of the document a render reads',
      'the live document',
      `${bytes(b.historyHeapBytes)} (2 states, gc off)`,
      `${bytes(chain.historyHeapBytes)} (whole chain, gc off)`,
    ],
    [
      'replay the trace (of which taking versions)',
      `${ms(a.applyMs)} (${ms(a.versionMs)})`,
      `${ms(b.applyMs)} (${ms(b.versionMs)})`,
      `as B, + ${ms(chain.diffMs)} for the diffs`,
    ],
    [
      'render a version against the one before, first time: median / p95',
      spread(a.renders.firstMs),
      spread(b.renders.firstMs),
      spread(chain.renders.firstMs),
    ],
    [
      `same, again (median of ${f.rounds} more): median / p95`,
      spread(a.renders.repeatMs),
      spread(b.renders.repeatMs),
      spread(chain.renders.repeatMs),
    ],
  ]
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU'
  const ramGiB = (totalmem() / 2 ** 30).toFixed(0)
  const [loadAtStart, loadAtEnd] = f.loadAverages.map((load) => load.toFixed(2))
  return [
    '# Version history: gc-off snapshots (A) or full states (B)',
    '',
    `\`${f.command}\` (${f.runSeconds.toFixed(0)} s). ${new Date().toISOString().slice(0, 10)}, ` +
      `Node ${process.version}, ${cpus().length} × ${cpu}, ${ramGiB} GiB RAM, 1-minute load ` +
      `average ${loadAtStart} at the start and ${loadAtEnd} at the end (this run itself adds ` +
      'about 1; above that, other work slows the figures down).',
    '',
    `The automerge-paper trace (${count(f.transactions)} transactions, one Yjs transaction each) ` +
      'replayed into the editor layout (XmlFragment `prosemirror` > `paragraph` > one ' +
      `Y.XmlText), a version after every ${count(f.every)} transactions and after the last: ` +
      `${f.versions} versions. One fixed client ID, whose varuint takes 5 bytes as 15 in 16 ` +
      'random ones do.',
    '',
    '| | A: `gc: false`, a Y.snapshot per version | B: gc on, a full state per version ' +
      '| B as a delta chain |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    `Checks passed: both replays end with the trace's endContent. For each of the ` +
      `${f.renderedVersions} rendered versions (spread over the history, the last included) ` +
      'A, B and the chain render the same highlighted text; without its removed runs it is the ' +
      'text of that version, without its added runs the text of the one before. The last ' +
      `version renders endContent, with ${f.removed.runs} removed runs ` +
      `(${count(f.removed.characters)} characters) and ${f.added.runs} added runs ` +
      `(${count(f.added.characters)} characters).`,
    '',
    '- Storage: encoded bytes. Gzip is zlib level 6 on each record alone (the document, each ' +
      'version), as a store compressing its values would. The chain stores version i as ' +
      '`Y.diffUpdate(state i, state vector of version i−1)`.',
    '- Heap: per document, `heapUsed` after forced collections with 10 copies loaded, minus the ' +
      'same before (with one more copy loaded then, so that compiled code is not counted), in ' +
      'a fresh `node --expose-gc` process, median of 3 processes. A loads into `gc: false`, B ' +
      'into a default Y.Doc; the render documents load with `gc: false`.',
    `- Replay: median of ${f.reps}. Render: the body of y-prosemirror 1.3.7's ` +
      '`_renderSnapshot` without the view dispatch: its own `createNodeFromYElement`, the ' +
      'editor schema plus a `ychange` mark, no PermanentUserData (so no user names). A decodes ' +
      'two stored snapshots and renders from the live document; B converts two stored states ' +
      'to v2 and loads them into a fresh `gc: false` document, as `renderSnapshot(v2, prevV2)` ' +
      'does; the chain applies its first i+1 diffs there. The designs take turns on each ' +
      'version after an untimed warm-up. "First time" matters for A: its first render of a ' +
      "version splits the live document's structs at the snapshot edges, which later renders " +
      'reuse.',
    '',
  ].join('\n')
}
