// Byte-level mutations of a frame: what a broken or hostile client sends instead of a good frame.
import * as encoding from 'lib0/encoding'
import type { Random } from './random.js'

/** One way to damage a frame; `other` is a second frame to splice from. */
interface Mutation {
  readonly name: string
  readonly weight: number
  readonly apply: (random: Random, frame: Uint8Array, other: Uint8Array) => Uint8Array
}

const varUint = (value: number): Uint8Array => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, value)
  return encoding.toUint8Array(encoder)
}

/** A varUint of any size from 0 to 2^53, small ones likelier. */
function randomVarUint(random: Random): Uint8Array {
  const bits = random.int(0, 53)
  return varUint(Math.floor(random.next() * 2 ** bits))
}

const concat = (...parts: readonly Uint8Array[]): Uint8Array => {
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    bytes.set(part, offset)
    offset += part.length
  }
  return bytes
}

const position = (random: Random, frame: Uint8Array): number => random.int(0, frame.length)

const mutations: readonly Mutation[] = [
  {
    name: 'bit flip',
    weight: 30,
    apply: (random, frame) => {
      const bytes = frame.slice()
      if (bytes.length === 0) return bytes
      const flips = random.logInt(1, 8)
      for (let i = 0; i < flips; i++)
        bytes[random.int(0, bytes.length - 1)]! ^= 1 << random.int(0, 7)
      return bytes
    },
  },
  {
    name: 'random byte',
    weight: 15,
    apply: (random, frame) => {
      const bytes = frame.slice()
      if (bytes.length > 0) bytes[random.int(0, bytes.length - 1)] = random.int(0, 255)
      return bytes
    },
  },
  {
    name: 'truncation',
    weight: 20,
    apply: (random, frame) => frame.slice(0, random.int(0, Math.max(0, frame.length - 1))),
  },
  {
    name: 'extension',
    weight: 10,
    apply: (random, frame) => concat(frame, random.bytes(random.logInt(1, 256))),
  },
  {
    name: 'inserted varuint',
    weight: 15,
    apply: (random, frame) => {
      const at = position(random, frame)
      return concat(frame.subarray(0, at), randomVarUint(random), frame.subarray(at))
    },
  },
  {
    name: 'cut range',
    weight: 8,
    apply: (random, frame) => {
      const start = position(random, frame)
      const end = Math.min(frame.length, start + random.logInt(1, 64))
      return concat(frame.subarray(0, start), frame.subarray(end))
    },
  },
  {
    name: 'repeated range',
    weight: 5,
    apply: (random, frame) => {
      const start = position(random, frame)
      const range = frame.subarray(start, start + random.logInt(1, 64))
      return concat(frame.subarray(0, start), range, range, frame.subarray(start + range.length))
    },
  },
  {
    name: 'splice',
    weight: 8,
    apply: (random, frame, other) =>
      concat(frame.subarray(0, position(random, frame)), other.subarray(position(random, other))),
  },
  {
    name: 'wrong message tag',
    weight: 8,
    apply: (random, frame) => concat(randomVarUint(random), frame.subarray(1)),
  },
  {
    name: 'nested sync sub-tags',
    weight: 6,
    apply: (random, frame) => {
      const tags = Array.from({ length: random.int(1, 4) }, () => varUint(random.int(0, 3)))
      return concat(Uint8Array.of(0), ...tags, frame)
    },
  },
  {
    name: 'huge declared length',
    weight: 6,
    apply: (random, frame) => {
      // The length of a sync or awareness payload sits after one or two tags.
      const at = frame[0] === 1 ? 1 : 2
      return concat(
        frame.subarray(0, at),
        varUint(random.int(frame.length, 2 ** 53 - 1)),
        frame.subarray(at + 1),
      )
    },
  },
]

/** Applies one to three random mutations; returns the frame and the names of what was done. */
export function mutate(
  random: Random,
  frame: Uint8Array,
  other: Uint8Array,
): { frame: Uint8Array; applied: string[] } {
  let bytes = frame
  const applied: string[] = []
  const count = random.logInt(1, 3)
  for (let i = 0; i < count; i++) {
    const mutation = random.weighted(mutations)
    bytes = mutation.apply(random, bytes, other)
    applied.push(mutation.name)
  }
  return { frame: bytes, applied }
}
