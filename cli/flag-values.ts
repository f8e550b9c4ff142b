// Flag values that several groups of flags take, parsed for commander.
import { InvalidArgumentError } from 'commander'

/** A whole number of at least 1 (a count, or milliseconds). */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new InvalidArgumentError('expected a whole number of at least 1.')
  }
  return Number(value)
}
