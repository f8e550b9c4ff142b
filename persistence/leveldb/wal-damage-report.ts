// What replay tells the operator about a write-ahead-log file whose records break off: how bad
// it is, and exactly what was and was not replayed (persistence/README.md, "Damaged files").
// Imports only the record types of wal-record.ts.
import type { WalDamage } from './wal-record.js'

/** How a store problem should be logged: `error` for data the store could not use. */
export type ProblemLevel = 'warn' | 'error'

/** A damaged file as replay found and kept it. */
interface DamagedWalFile {
  /** Its name in the log's directory. */
  name: string
  damage: WalDamage
  /** Only a cut record at the end of the newest file can be a write interrupted by a crash. */
  isNewest: boolean
  /** Where the file is now, byte for byte as replay found it. */
  keptPath: string
}

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`

/** "2 of room "a", 1 of room "c"", in the order the rooms first appear. */
function describeRooms(records: WalDamage['laterRecords']): string {
  const counts = new Map<string, number>()
  for (const { room } of records) counts.set(room, (counts.get(room) ?? 0) + 1)
  const rooms = [...counts].map(([room, count]) => `${count} of room ${JSON.stringify(room)}`)
  const unverified = records.filter((record) => !record.isVerified).length
  // Records of the format before checksums read whole, but their bytes cannot be verified.
  const note = unverified > 0 ? `; ${unverified} in the format before checksums, so unverified` : ''
  return `${rooms.join(', ')}${note}`
}

/** What the skipped bytes hold, as far as they can still be read. */
function describeSkipped(damage: WalDamage): string {
  if (damage.isCut) return 'that record, cut short'
  if (damage.recordBytes === null) return 'bytes that do not read as records'
  const parts = [`that record (${damage.recordBytes} bytes)`]
  const later = damage.laterRecords
  if (later.length > 0) {
    parts.push(`${plural(later.length, 'record')} after it (${describeRooms(later)})`)
  }
  if (damage.unreadableBytes > 0) {
    const after = later.length > 0 ? 'them' : 'it'
    parts.push(`${damage.unreadableBytes} bytes after ${after} that do not read as records`)
  }
  const last = parts.pop()!
  return parts.length > 0 ? `${parts.join(', ')} and ${last}` : last
}

/**
 * The report on one damaged file. Only a cut record at the end of the newest file is a warning:
 * it is what a write interrupted by a crash leaves, and nothing tells whether its append had been
 * acknowledged, so the message claims neither. Everything else is an error.
 */
export function reportWalDamage(file: DamagedWalFile): { level: ProblemLevel; message: string } {
  const { damage } = file
  const record = `record ${damage.recordNumber} (at byte ${damage.offset})`
  const kept = `The file is kept in ${file.keptPath}`
  if (damage.isCut && file.isNewest) {
    return {
      level: 'warn',
      message:
        `ignored the last ${damage.skippedBytes} bytes of write-ahead-log file ${file.name}, the ` +
        `newest: ${record} ${damage.problem}, as a write interrupted by a crash leaves it. ${kept}`,
    }
  }
  const notNewest = damage.isCut ? ', and newer files follow it' : ''
  return {
    level: 'error',
    message:
      `write-ahead-log file ${file.name} is damaged: ${record} ${damage.problem}${notNewest}. ` +
      `Replayed: ${plural(damage.recordNumber - 1, 'record')} before it. Not replayed: the last ` +
      `${damage.skippedBytes} bytes of the file: ${describeSkipped(damage)}. ${kept}`,
  }
}
