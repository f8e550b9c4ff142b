// Append throughput and latency of the PostgreSQL store against the LevelDB store (without and
// with --fsync), on the machine's PostgreSQL: one room, and 100 rooms at once, each typed into
// one character per update, every append awaited before the room's next as a typist's are.
// Prints a Markdown table on stdout; progress goes to stderr. Not part of npm test.
// Usage: node --import tsx bench/figures/postgres-store.ts [--updates 1000] [--rooms 100]
//          [--postgres postgres://postgres@127.0.0.1:5432/test]
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import * as Y from 'yjs'
import { openLevelDbStore } from '../../persistence/leveldb/store.js'
import { redactPostgresUrl } from '../../persistence/postgres/postgres-url.js'
import { openPostgresStore } from '../../persistence/postgres/store.js'
import type { DocStore } from '../../persistence/store.js'

const { values: options } = parseArgs({
  options: {
    updates: { type: 'string', default: '1000' },
    rooms: { type: 'string', default: '100' },
    postgres: {
      type: 'string',
      default: process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
  },
})
const updatesPerRoom = Number(options.updates)
const manyRooms = Number(options.rooms)

/** A store to measure, opened afresh for each scenario and removed after it. */
interface Subject {
  readonly name: string
  open(): Promise<{ store: DocStore; remove: () => Promise<void> }>
}

const levelDb = (syncWrites: boolean): Subject => ({
  name: `LevelDB${syncWrites ? ' --fsync' : ''}`,
  async open() {
    const directory = await mkdtemp(join(tmpdir(), 'postgres-figures-'))
    const store = await openLevelDbStore({ directory, syncWrites })
    return { store, remove: () => rm(directory, { recursive: true, force: true }) }
  },
})

const postgres: Subject = {
  name: 'PostgreSQL',
  async open() {
    const schema = `collab_bench_${process.pid}_${Date.now()}`
    const store = await openPostgresStore({ url: options.postgres, schema })
    const remove = async (): Promise<void> => {
      const client = new pg.Client({ connectionString: options.postgres })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await client.end()
    }
    return { store, remove }
  },
}

/** The updates of a typist writing `count` characters, one update each (about 20–30 bytes). */
function typing(count: number): Uint8Array[] {
  const doc = new Y.Doc()
  const text = doc.getText('text')
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  for (let i = 0; i < count; i++) text.insert(text.length, 'abcdefghij'[i % 10]!)
  return updates
}

interface Figures {
  appends: number
  seconds: number
  latenciesMs: number[]
}

/** Each room appends its updates one after the other; all rooms at once. */
async function measure(store: DocStore, rooms: number): Promise<Figures> {
  const names = Array.from({ length: rooms }, (_, i) => `room-${i}`)
  const updates = typing(updatesPerRoom)
  for (const name of names) await store.load(name)
  const latenciesMs: number[] = []
  const startedAt = performance.now()
  await Promise.all(
    names.map(async (name) => {
      for (const update of updates) {
        const appendStartedAt = performance.now()
        await store.append(name, update)
        latenciesMs.push(performance.now() - appendStartedAt)
      }
    }),
  )
  const seconds = (performance.now() - startedAt) / 1000
  return { appends: latenciesMs.length, seconds, latenciesMs }
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

const loadAtStart = loadavg()[0]!.toFixed(2)
const rows: string[] = []
for (const rooms of [1, manyRooms]) {
  for (const subject of [levelDb(false), levelDb(true), postgres]) {
    process.stderr.write(`${subject.name}, ${rooms} room(s)…\n`)
    const { store, remove } = await subject.open()
    try {
      const { appends, seconds, latenciesMs } = await measure(store, rooms)
      const sorted = latenciesMs.sort((a, b) => a - b)
      rows.push(
        `| ${subject.name} | ${rooms} | ${appends.toLocaleString('en')} | ${seconds.toFixed(2)} | ${Math.round(appends / seconds).toLocaleString('en')} | ${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} |`,
      )
    } finally {
      await store.close()
      await remove()
    }
  }
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; 1-minute load average ${loadAtStart} when the run began, ${loadavg()[0]!.toFixed(2)} at its end`
console.log(
  [
    '# PostgreSQL store figures',
    '',
    `Machine: ${machine}. PostgreSQL: ${redactPostgresUrl(options.postgres)} on the same machine (synchronous_commit as configured). ${updatesPerRoom.toLocaleString('en')} typing updates per room; each room awaits an append before its next, all rooms at once.`,
    '',
    '| store | rooms | appends | seconds | appends/s | p50 ms | p99 ms |',
    '| ----- | ----: | ------: | ------: | --------: | -----: | -----: |',
    ...rows,
    '',
    '`node --import tsx bench/figures/postgres-store.ts`',
  ].join('\n'),
)
