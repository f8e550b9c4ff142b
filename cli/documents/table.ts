// Readable output of the document commands: aligned tables, sizes and times.

/** A column of `formatTable`: its title, and whether its cells align right (numbers). */
interface Column {
  readonly title: string
  readonly isNumeric?: boolean
}

/** `rows` under their column titles, padded to line up, two spaces apart; one line each. */
export function formatTable(
  columns: readonly Column[],
  rows: ReadonlyArray<readonly string[]>,
): string {
  const widths = columns.map((column, index) =>
    Math.max(column.title.length, ...rows.map((row) => (row[index] ?? '').length)),
  )
  const line = (cells: readonly string[]): string =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? ''
        return column.isNumeric ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!)
      })
      .join('  ')
      .trimEnd()
  return [columns.map((column) => column.title), ...rows].map(line).join('\n') + '\n'
}

/** `name  value` lines, the values lined up. */
export function formatFields(fields: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...fields.map(([name]) => name.length))
  return fields.map(([name, value]) => `${name.padEnd(width)}  ${value}\n`).join('')
}

const byteUnits = ['KiB', 'MiB', 'GiB', 'TiB']

/** A size for people: `512 B`, `1.5 KiB`, `20.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value.toFixed(1)} ${byteUnits[unit]}`
}

/** A time for people, in UTC to the second: `2026-01-02 10:11:12Z`. */
export function formatTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')
}

/** `1 document`, `2 documents`: a count with its noun. */
export const counted = (count: number, noun: string): string =>
  `${count} ${noun}${count === 1 ? '' : 's'}`
