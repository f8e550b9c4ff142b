// Summarizes the profiles `npm run bench -- --profile DIR` leaves in DIR: top self-time functions
// of each .cpuprofile (positions in our bundle mapped back to the TypeScript sources through its
// source map), allocation sites of each .heapprofile and the largest constructors of each
// .heapsnapshot.
// Usage: node --import tsx bench/profile-summary.ts DIR [--top N]
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import type { SourceMapPayload } from 'node:module'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { ProfileWindow } from './profile-window.js'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber: number
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>
  samples: number[]
  timeDeltas: number[]
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '25' } },
  allowPositionals: true,
})
const dir = positionals[0]
if (!dir) throw new RangeError('usage: node --import tsx bench/profile-summary.ts DIR [--top N]')
const top = Number(values.top)
// A run profiles the copy of our server it took at its start (bench/child-scripts.ts).
const oursBundle = /\/collab-bench\/ours-[0-9a-f]+\/dist\/cli\.js$/
const sourceMaps = new Map<string, SourceMap>()

function sourceMapOf(url: string): SourceMap {
  let map = sourceMaps.get(url)
  if (!map) {
    const path = `${url.replace(/^file:\/\//, '')}.map`
    map = new SourceMap(JSON.parse(readFileSync(path, 'utf8')) as SourceMapPayload)
    sourceMaps.set(url, map)
  }
  return map
}

/** "function file:line", with positions in our bundle mapped back to their source file. */
function describe(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)'
  if (!frame.url) return name
  if (oursBundle.test(frame.url)) {
    const entry = sourceMapOf(frame.url).findEntry(frame.lineNumber, frame.columnNumber)
    if ('originalSource' in entry && entry.originalSource) {
      const source = entry.originalSource.replace(
        /^.*?\/(server|protocol|persistence|cli)\//,
        '$1/',
      )
      return `${name} ${source}:${entry.originalLine + 1}`
    }
  }
  const file = frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\//, '')
  return `${name} ${file}:${frame.lineNumber + 1}`
}

function printTop(title: string, totals: Map<string, number>, unit: (value: number) => string) {
  const sum = [...totals.values()].reduce((a, b) => a + b, 0)
  console.log(`\n${title} (total ${unit(sum)})`)
  const sorted = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
  for (const [where, value] of sorted) {
    console.log(
      `${((value / sum) * 100).toFixed(1).padStart(5)}%  ${unit(value).padStart(9)}  ${where}`,
    )
  }
}

// A profile starts while node boots, a few ms after the spawn the windows are measured from.
function summarizeCpu(path: string, windows: ProfileWindow[]): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile
  const pid = Number(/\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(path)?.[1])
  const spans = windows.filter((window) => window.pid === pid)
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const parents = new Map<number, number>()
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id)
  const totals = new Map<string, number>()
  // Inclusive time of our own functions (server/, protocol/, persistence/): self plus callees.
  const inclusive = new Map<string, number>()
  let elapsedUs = 0
  profile.samples.forEach((id, i) => {
    const deltaUs = profile.timeDeltas[i] ?? 0
    elapsedUs += deltaUs
    const atMs = elapsedUs / 1000
    if (spans.length > 0 && !spans.some((span) => atMs >= span.fromMs && atMs <= span.toMs)) return
    const frame = frames.get(id)
    const key = frame ? describe(frame) : '(unknown)'
    totals.set(key, (totals.get(key) ?? 0) + deltaUs)
    const onStack = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const caller = frames.get(at)
      if (caller && oursBundle.test(caller.url)) onStack.add(describe(caller))
    }
    for (const name of onStack) inclusive.set(name, (inclusive.get(name) ?? 0) + deltaUs)
  })
  const scope = spans.length > 0 ? 'measurement windows only' : 'whole run'
  const ms = (us: number): string => `${(us / 1000).toFixed(1)} ms`
  printTop(`CPU self time (${scope}): ${path}`, totals, ms)
  const all = [...totals.values()].reduce((a, b) => a + b, 0)
  console.log(`\nInclusive time of our functions (% of all samples above)`)
  for (const [name, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((us / all) * 100).toFixed(1).padStart(5)}%  ${ms(us).padStart(9)}  ${name}`)
  }
}

interface AllocationNode {
  callFrame: CallFrame
  selfSize: number
  children: AllocationNode[]
}

/**
 * Bytes allocated during the measurement windows (objects already collected included), by
 * allocating function and by the nearest of our functions on the stack.
 */
function summarizeAllocations(path: string): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as { head: AllocationNode }
  const bySite = new Map<string, number>()
  const byOurs = new Map<string, number>()
  const visit = (node: AllocationNode, ours: string): void => {
    const site = describe(node.callFrame)
    const nearest = oursBundle.test(node.callFrame.url) ? site : ours
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize)
    byOurs.set(nearest, (byOurs.get(nearest) ?? 0) + node.selfSize)
    for (const child of node.children) visit(child, nearest)
  }
  visit(profile.head, '(not under our code)')
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`
  printTop(`Allocations by allocating function: ${path}`, bySite, kb)
  printTop(`Allocations by the nearest of our functions on the stack: ${path}`, byOurs, kb)
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } }
  nodes: number[]
  strings: string[]
}

/** Self size and count per constructor (objects, closures) or per kind (strings, arrays, code). */
function summarizeSnapshot(path: string): void {
  const heap = JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshot
  const fields = heap.snapshot.meta.node_fields
  const types = heap.snapshot.meta.node_types[0]
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) =>
    fields.indexOf(field),
  )
  const totals = new Map<string, number>()
  const counts = new Map<string, number>()
  for (let i = 0; i < heap.nodes.length; i += fields.length) {
    const type = types[heap.nodes[i + (typeAt ?? 0)] ?? 0] ?? '?'
    const name = heap.strings[heap.nodes[i + (nameAt ?? 0)] ?? 0] ?? '?'
    const isNamed =
      type === 'object' || type === 'closure' || type === 'native' || type === 'hidden'
    const key = isNamed ? `${name} (${type})` : `(${type})`
    totals.set(key, (totals.get(key) ?? 0) + (heap.nodes[i + (sizeAt ?? 0)] ?? 0))
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  const labelled = new Map(
    [...totals].map(([key, size]) => [`${key} ×${counts.get(key) ?? 0}`, size]),
  )
  printTop(
    `Heap snapshot, self size by constructor: ${path}`,
    labelled,
    (b) => `${(b / 1024).toFixed(0)} KB`,
  )
}

const windowsPath = join(dir, 'windows.json')
const windows = existsSync(windowsPath)
  ? (JSON.parse(readFileSync(windowsPath, 'utf8')) as ProfileWindow[])
  : []
for (const name of readdirSync(dir).sort()) {
  if (name.endsWith('.cpuprofile')) summarizeCpu(join(dir, name), windows)
  if (name.endsWith('.heapsnapshot')) summarizeSnapshot(join(dir, name))
  if (name.endsWith('.heapprofile')) summarizeAllocations(join(dir, name))
}
