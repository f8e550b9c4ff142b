// Flag values that several groups of flags take, parsed for commander.
import { InvalidArgumentError } from 'commander'
import type { VersionRetention } from '../server/index.js'

/** A whole number of at least 1 (a count, or milliseconds). */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new InvalidArgumentError('expected a whole number of at least 1.')
  }
  return Number(value)
}

const dayMs = 24 * 60 * 60 * 1000
const retentionUnits: Record<string, number> = { d: dayMs, h: 60 * 60 * 1000, w: 7 * dayMs }

/** `30d`, `12h` or `2w`: versions younger than that; a plain count: the newest that many. */
export function parseVersionRetention(value: string): VersionRetention {
  const match = /^(\d+)\s*([dhw]?)$/i.exec(value.trim())
  if (!match || Number(match[1]) < 1) {
    throw new InvalidArgumentError('expected an age such as 30d, 12h or 2w, or a count such as 50.')
  }
  const amount = Number(match[1])
  const unit = match[2]!.toLowerCase()
  return unit === ''
    ? { kind: 'count', maxCount: amount }
    : { kind: 'age', maxAgeMs: amount * retentionUnits[unit]! }
}
