// A seeded random source for the fuzzer: lib0's Xoroshiro128+ (already a dependency, and the
// generator Yjs's own tests use) behind the few draws the generators need.
import * as prng from 'lib0/prng'

/** Mixes numbers into one 32-bit seed (murmur3's finalizer per part), so sub-seeds differ well. */
export function mixSeed(...parts: readonly number[]): number {
  let hash = 0x9e3779b9
  for (const part of parts) {
    hash = Math.imul(hash ^ (part >>> 0), 0x85ebca6b)
    hash ^= hash >>> 13
    hash = Math.imul(hash, 0xc2b2ae35)
    hash ^= hash >>> 16
  }
  return hash >>> 0
}

/** A deterministic stream of draws: the same seed gives the same draws, in any process. */
export class Random {
  readonly #generator: prng.PRNG

  constructor(seed: number) {
    this.#generator = prng.create(seed)
  }

  /** A float in [0, 1). */
  next(): number {
    return this.#generator.next()
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return Math.floor(this.next() * (max - min + 1)) + min
  }

  /** An integer in [min, max], spread evenly over orders of magnitude (for sizes and depths). */
  logInt(min: number, max: number): number {
    const low = Math.log(min)
    return Math.min(max, Math.floor(Math.exp(low + this.next() * (Math.log(max + 1) - low))))
  }

  chance(probability: number): boolean {
    return this.next() < probability
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)]
    if (item === undefined) throw new RangeError('pick from an empty list')
    return item
  }

  /** One item, each as likely as its weight. */
  weighted<T extends { weight: number }>(items: readonly T[]): T {
    const total = items.reduce((sum, item) => sum + item.weight, 0)
    let point = this.next() * total
    for (const item of items) {
      point -= item.weight
      if (point < 0) return item
    }
    return items[items.length - 1]!
  }

  bytes(length: number): Uint8Array {
    const bytes = new Uint8Array(length)
    for (let i = 0; i < length; i++) bytes[i] = this.int(0, 255)
    return bytes
  }

  /** Lowercase letters. */
  word(length: number): string {
    let text = ''
    for (let i = 0; i < length; i++) text += String.fromCharCode(97 + this.int(0, 25))
    return text
  }
}
