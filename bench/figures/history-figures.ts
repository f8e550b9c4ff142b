// The figures of the version-history issue: design A (live document with `gc: false`, a
// Y.snapshot per version) against design B (live document with gc on, a full state per version;
// also as a chain of diffs), on the automerge-paper trace replayed into the editor's layout.
// Storage, heap of the loaded document (child processes with --expose-gc), replay time, and the
// time to render a version with its changes highlighted as y-prosemirror 1.3 does; the results
// are checked against the trace. Writes a Markdown table to --out and stdout; progress to stderr.
// Usage: node --import tsx bench/figures/history-figures.ts [--every 1000] [--renders 20]
//          [--rounds 3] [--reps 3] [--out bench/results/history.md]
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import type { Node } from 'prosemirror-model'
import * as Y from 'yjs'
import { type EditingTrace, loadTrace } from '../../test/helpers/trace.js'
import { type History, deltaChain, replay, textOfState } from './history/designs.js'
import { type RenderTimes, formatReport, median } from './history/report.js'
import {
  type Segment,
  renderFromChain,
  renderFromSnapshots,
  renderFromStates,
  segmentsOf,
  textOf,
} from './history/render.js'

const { values: options } = parseArgs({
  options: {
    every: { type: 'string', default: '1000' },
    renders: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    reps: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench/results/history.md' },
  },
})
const every = Number(options.every)
const renderCount = Number(options.renders)
const rounds = Number(options.rounds)
const reps = Number(options.reps)
const memoryChild = fileURLToPath(new URL('./history/memory-child.ts', import.meta.url))

const progress = (message: string): void => {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`)
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`check failed: ${what}`)
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0)
const sizeOf = (records: readonly Uint8Array[]): number => sum(records.map((r) => r.length))
const gzippedSizeOf = (records: readonly Uint8Array[]): number =>
  sum(records.map((record) => gzipSync(record).length))

/** Replays one design `reps` times; the last replay is kept, its times are the medians. */
function replayed(trace: EditingTrace, isGcOn: boolean): History {
  let last = replay(trace, every, isGcOn)
  const applyMs = [last.applyMs]
  const versionMs = [last.versionMs]
  for (let rep = 1; rep < reps; rep++) {
    last.doc.destroy()
    last = replay(trace, every, isGcOn)
    applyMs.push(last.applyMs)
    versionMs.push(last.versionMs)
  }
  return { ...last, applyMs: median(applyMs), versionMs: median(versionMs) }
}

type Renderers<Name extends string> = Record<Name, (index: number) => Node>

/**
 * Times each renderer on each version of `picks`, once and then `rounds` more times. The designs
 * take turns on every version, so they share the garbage collector's pauses; a few versions
 * between the picks are rendered first, untimed, to warm up the JIT.
 */
function timeRenders<Name extends string>(
  picks: readonly number[],
  renderers: Renderers<Name>,
): Record<Name, RenderTimes & { segments: Segment[][] }> {
  const names = Object.keys(renderers) as Name[]
  const warmUps = picks
    .slice(0, Math.min(4, picks.length - 1))
    .map((index, j) => Math.floor((index + picks[j + 1]!) / 2))
    .filter((index) => !picks.includes(index))
  for (const index of warmUps) for (const name of names) renderers[name](index)
  const times = new Map(names.map((name) => [name, picks.map(() => [] as number[])]))
  const segments = new Map<Name, Segment[][]>(names.map((name) => [name, []]))
  for (let round = 0; round <= rounds; round++) {
    picks.forEach((index, j) => {
      for (const name of names) {
        const startedAt = performance.now()
        const node = renderers[name](index)
        times.get(name)![j]!.push(performance.now() - startedAt)
        if (round === 0) segments.get(name)!.push(segmentsOf(node))
      }
    })
  }
  return Object.fromEntries(
    names.map((name) => {
      const perVersion = times.get(name)!
      const result: RenderTimes & { segments: Segment[][] } = {
        firstMs: perVersion.map((samples) => samples[0]!),
        repeatMs: perVersion.map((samples) => median(samples.slice(1))),
        segments: segments.get(name)!,
      }
      return [name, result]
    }),
  ) as Record<Name, RenderTimes & { segments: Segment[][] }>
}

const execFileAsync = promisify(execFile)

/** Heap growth of loading `files` into a fresh document in a child process, median of 3. */
async function heapOf(mode: 'gc' | 'no-gc', files: readonly string[]): Promise<number> {
  const samples: number[] = []
  for (let i = 0; i < 3; i++) {
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', memoryChild, mode, ...files],
      { maxBuffer: 2 ** 20 },
    )
    samples.push((JSON.parse(stdout.trim().split('\n').at(-1)!) as { heapBytes: number }).heapBytes)
  }
  return median(samples)
}

async function main(): Promise<string> {
  const startedAt = performance.now()
  const loadBefore = loadavg()
  const trace = loadTrace()
  progress(`replaying ${trace.txns.length} transactions, ${reps}× per design`)
  const a = replayed(trace, false)
  const b = replayed(trace, true)
  const chain = deltaChain(b.versions)
  check(a.text.toString() === trace.endContent, 'design A ends with the trace endContent')
  check(b.text.toString() === trace.endContent, 'design B ends with the trace endContent')
  const versionCount = b.versions.length
  check(a.versions.length === versionCount, 'both designs took the same versions')

  // Sizes are taken before any rendering: in design A rendering splits the live document's structs.
  const finalA = Y.encodeStateAsUpdate(a.doc)
  const finalB = Y.encodeStateAsUpdate(b.doc)
  progress('sizes and gzip')
  const storage = {
    a: { versions: sizeOf(a.versions), gzip: gzippedSizeOf([finalA, ...a.versions]) },
    b: { versions: sizeOf(b.versions), gzip: gzippedSizeOf([finalB, ...b.versions]) },
    chain: { versions: sizeOf(chain.deltas), gzip: gzippedSizeOf([finalB, ...chain.deltas]) },
  }

  progress('heap of the loaded documents (child processes)')
  const directory = await mkdtemp(join(tmpdir(), 'history-figures-'))
  let heap: { a: number; b: number; bHistory: number; chainHistory: number }
  try {
    const file = async (name: string, bytes: Uint8Array) => {
      const path = join(directory, name)
      await writeFile(path, bytes)
      return path
    }
    const chainFiles = await Promise.all(chain.deltas.map((delta, i) => file(`d${i}`, delta)))
    heap = {
      a: await heapOf('no-gc', [await file('a', finalA)]),
      b: await heapOf('gc', [await file('b', finalB)]),
      bHistory: await heapOf('no-gc', [
        await file('b-prev', b.versions.at(-2)!),
        await file('b-last', b.versions.at(-1)!),
      ]),
      chainHistory: await heapOf('no-gc', chainFiles),
    }
  } finally {
    await rm(directory, { recursive: true, force: true })
  }

  const picks = [
    ...new Set(
      Array.from({ length: renderCount }, (_, j) =>
        Math.round(1 + (j * (versionCount - 2)) / Math.max(1, renderCount - 1)),
      ),
    ),
  ]
  progress(`rendering ${picks.length} versions, 1 + ${rounds} times each, per design`)
  const renders = timeRenders(picks, {
    a: (i) => renderFromSnapshots(a.doc, a.versions[i]!, a.versions[i - 1]!),
    b: (i) => renderFromStates(b.versions[i]!, b.versions[i - 1]!),
    chain: (i) => renderFromChain(chain.deltas, i),
  })

  progress('checking the renders')
  picks.forEach((index, j) => {
    const segments = renders.b.segments[j]!
    const same = JSON.stringify(segments)
    check(JSON.stringify(renders.a.segments[j]) === same, `A renders version ${index} as B does`)
    check(JSON.stringify(renders.chain.segments[j]) === same, `the chain renders version ${index}`)
    check(textOf(segments) === textOfState(b.versions[index]!), `version ${index}: its text`)
    check(
      textOf(segments, true) === textOfState(b.versions[index - 1]!),
      `version ${index}: the text of the version before, with additions left out`,
    )
  })
  const last = renders.b.segments.at(-1)!
  check(picks.at(-1) === versionCount - 1, 'the last version is rendered')
  check(textOf(last) === trace.endContent, 'the last version renders the trace endContent')
  const removed = last.filter((s) => s.kind === 'removed')
  const added = last.filter((s) => s.kind === 'added')
  check(removed.length > 0 && added.length > 0, 'the last version highlights removed and added')

  const runSeconds = (performance.now() - startedAt) / 1000
  progress(`done in ${runSeconds.toFixed(0)} s`)
  const largest = (records: readonly Uint8Array[]) => Math.max(...records.map((r) => r.length))
  const argv = process.argv.slice(2).join(' ')
  return formatReport({
    command: `node --import tsx bench/figures/history-figures.ts${argv ? ` ${argv}` : ''}`,
    runSeconds,
    loadAverages: [loadBefore[0]!, loadavg()[0]!],
    transactions: trace.txns.length,
    every,
    versions: versionCount,
    reps,
    rounds,
    a: {
      documentBytes: finalA.length,
      versionBytes: storage.a.versions,
      largestVersionBytes: largest(a.versions),
      gzipBytes: storage.a.gzip,
      heapBytes: heap.a,
      applyMs: a.applyMs,
      versionMs: a.versionMs,
      renders: renders.a,
    },
    b: {
      documentBytes: finalB.length,
      versionBytes: storage.b.versions,
      largestVersionBytes: largest(b.versions),
      gzipBytes: storage.b.gzip,
      heapBytes: heap.b,
      historyHeapBytes: heap.bHistory,
      applyMs: b.applyMs,
      versionMs: b.versionMs,
      renders: renders.b,
    },
    chain: {
      versionBytes: storage.chain.versions,
      largestVersionBytes: largest(chain.deltas),
      gzipBytes: storage.chain.gzip,
      historyHeapBytes: heap.chainHistory,
      diffMs: chain.ms,
      renders: renders.chain,
    },
    renderedVersions: picks.length,
    removed: { runs: removed.length, characters: sum(removed.map((s) => s.text.length)) },
    added: { runs: added.length, characters: sum(added.map((s) => s.text.length)) },
  })
}

const report = await main()
await writeFile(options.out, report)
process.stdout.write(report)
