// The series file the recorder writes and the renderer reads: JSON lines, one per event. First the
// target (the labels Prometheus would attach), then every scrape's raw exposition text as served,
// and a line where each load phase begins, drawn as annotations.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { parseExposition } from './prometheus-text.js'
import type { Labels } from './prometheus-text.js'
import type { Scrape } from './series-store.js'

/** One line of the series file. */
export type RecordingLine =
  | { kind: 'target'; labels: Labels; command: string }
  | { kind: 'scrape'; atMs: number; text: string }
  | { kind: 'phase'; atMs: number; name: string }

/** A load phase: its name and when it began, in ms since the epoch. */
export interface Phase {
  readonly atMs: number
  readonly name: string
}

/** A series file read back: the target's labels, its scrapes parsed, the phases. */
export interface Recording {
  readonly targetLabels: Labels
  /** The command line that recorded it. */
  readonly command: string
  readonly scrapes: readonly Scrape[]
  readonly phases: readonly Phase[]
}

/** Appends lines to a series file; the file is created (emptied) by the constructor. */
export class RecordingWriter {
  readonly #path: string

  constructor(path: string) {
    this.#path = path
    writeFileSync(path, '')
  }

  /** Appends one line. Synchronous, so a recording cut short keeps every line written. */
  write(line: RecordingLine): void {
    appendFileSync(this.#path, `${JSON.stringify(line)}\n`)
  }
}

/** Reads a series file; throws if it names no target or holds a malformed exposition. */
export function readRecording(path: string): Recording {
  let target: Extract<RecordingLine, { kind: 'target' }> | undefined
  const scrapes: Scrape[] = []
  const phases: Phase[] = []
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    if (text === '') continue
    const line = JSON.parse(text) as RecordingLine
    switch (line.kind) {
      case 'target':
        target = line
        break
      case 'scrape':
        scrapes.push({ atMs: line.atMs, exposition: parseExposition(line.text) })
        break
      case 'phase':
        phases.push({ atMs: line.atMs, name: line.name })
        break
    }
  }
  if (!target) throw new Error(`${path} names no target: not a series file`)
  return { targetLabels: target.labels, command: target.command, scrapes, phases }
}
