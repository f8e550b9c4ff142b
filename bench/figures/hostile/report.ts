// The figures of one attack as rows of a Markdown table, what every attack module is given to
// run with, and the Markdown the script prints.
import type { ServerUnderTest } from './server-process.js'

/** One figure of an attack: what was measured, its value, and the target after the fix. */
export interface FigureRow {
  figure: string
  value: string
  target: string
}

/** The figures and notes of one attack against one build. */
export class AttackReport {
  readonly title: string
  readonly rows: FigureRow[] = []
  readonly notes: string[] = []
  #isSealed = false

  constructor(title: string) {
    this.title = title
  }

  /** Adds a figure; `target` is the issue's goal for it after the fix, when it names one. */
  add(figure: string, value: string, target = ''): void {
    if (!this.#isSealed) this.rows.push({ figure, value, target })
  }

  /** Adds a note below the table (what a figure means, what the server logged). */
  note(text: string): void {
    if (!this.#isSealed) this.notes.push(text)
  }

  /** Takes nothing more: an attack that timed out may still be running. */
  seal(): void {
    this.#isSealed = true
  }

  /**
   * Notes the warnings and errors a server logged, each distinct message once with its count
   * (at most `limit`), so that a crash or a storage failure shows next to the figures.
   */
  noteProblems(label: string, server: ServerUnderTest, limit = 6): void {
    const counts = new Map<string, number>()
    for (const problem of server.problems()) {
      // Numbers differ between otherwise equal messages (sizes, ids): count them together.
      const key = problem.length > 240 ? `${problem.slice(0, 240)}…` : problem
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    if (counts.size === 0) return
    const listed = [...counts]
      .slice(0, limit)
      .map(([message, count]) => `${count}× \`${message.replaceAll('`', "'")}\``)
    const more = counts.size > limit ? `; and ${counts.size - limit} other messages` : ''
    this.note(`${label} logged: ${listed.join('; ')}${more}.`)
  }
}

/** What the runner gives every attack. */
export interface AttackContext {
  /** The server command under test (a built dist/cli.js). */
  readonly cli: string
  readonly report: AttackReport
  /** Prints progress on stderr (the figures go to stdout). */
  readonly progress: (message: string) => void
  /** A fresh empty directory under the run's working directory. */
  directory(name: string): Promise<string>
  /**
   * Starts the server command with the shared flags (server-process.ts) plus `args`; the runner
   * kills it after the attack if it still runs.
   */
  startServer(dataDirectory: string, args?: readonly string[]): Promise<ServerUnderTest>
  /** Runs `release` after the attack, even when it failed or timed out (last in, first out). */
  defer(release: () => Promise<void> | void): void
}

/** An attack the script can run. */
export interface Attack {
  /** The name `--only` takes. */
  readonly id: string
  readonly title: string
  /** Whether it runs once per `--size-mib` size (its title then names the size). */
  readonly isSized: boolean
  /** A bound on the whole attack: past it the runner kills its servers and reports a timeout. */
  deadlineMs(sizeMiB: number): number
  /** Runs the attack against a server it starts through `context`; `sizeMiB` if it is sized. */
  run(context: AttackContext, sizeMiB: number): Promise<void>
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

/** The figures of every attack as one Markdown table, each attack's notes below it. */
export function renderReports(reports: readonly AttackReport[], buildLabel: string): string {
  const lines = [
    `| attack | figure | ${cell(buildLabel)} | target after the fix |`,
    '| --- | --- | --- | --- |',
  ]
  for (const report of reports) {
    report.rows.forEach((row, index) => {
      const attack = index === 0 ? `**${cell(report.title)}**` : ''
      lines.push(`| ${attack} | ${cell(row.figure)} | ${cell(row.value)} | ${cell(row.target)} |`)
    })
  }
  const notes = reports.filter((report) => report.notes.length > 0)
  if (notes.length > 0) {
    lines.push('', '### Notes')
    for (const report of notes) {
      lines.push('', `**${report.title}**`, '')
      for (const text of report.notes) lines.push(`- ${text}`)
    }
  }
  return lines.join('\n')
}
