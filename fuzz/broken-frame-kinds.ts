// Frames whose envelope or payload is broken by construction: empty, text, unknown tags,
// truncated and oversized varints, huge declared lengths, random bytes, and frames past the size
// limit.
import { MessageType, writeSyncStep1, writeSyncUpdate } from '../protocol/message.js'
import { type FrameKind, one, varUints, writeUpdateFrame } from './frame-kind.js'

/** The broken kinds, by weight. */
export const brokenFrameKinds: readonly FrameKind[] = [
  {
    name: 'frame past the size limit',
    weight: 0.1,
    build: ({ random, limits }) => {
      const frame = new Uint8Array(limits.maxFrameBytes + random.logInt(1, 4_096))
      frame.set(writeSyncUpdate(Uint8Array.of(0, 0)))
      return one(frame)
    },
  },
  { name: 'empty frame', weight: 5, build: () => one(new Uint8Array()) },
  {
    name: 'text frame',
    weight: 5,
    build: ({ random }) =>
      one(
        random.chance(0.5)
          ? random.word(random.int(0, 64))
          : String.fromCharCode(...random.bytes(random.int(1, 64))),
      ),
  },
  {
    name: 'unknown message type',
    weight: 5,
    build: ({ random }) =>
      one(
        varUints(
          random.chance(0.2) ? MessageType.auth : random.logInt(4, 2 ** 40),
          ...random.bytes(random.int(0, 8)),
        ),
      ),
  },
  {
    name: 'unknown sync step',
    weight: 5,
    build: ({ random }) => one(varUints(MessageType.sync, random.logInt(3, 2 ** 40), 1, 0)),
  },
  {
    name: 'truncated varint',
    weight: 4,
    build: ({ random }) =>
      one(
        Uint8Array.of(
          ...(random.chance(0.5) ? [] : [0]),
          ...Array.from({ length: random.int(1, 6) }, () => 0x80 | random.int(0, 127)),
        ),
      ),
  },
  {
    name: 'oversized varint',
    weight: 3,
    build: ({ random }) =>
      one(Uint8Array.of(...Array.from({ length: random.int(9, 16) }, () => 0xff), 0x01)),
  },
  {
    name: 'huge declared length',
    weight: 5,
    build: ({ random }) => {
      const tags = random.chance(0.5)
        ? [MessageType.awareness]
        : [MessageType.sync, random.int(0, 2)]
      return one(
        varUints(...tags, random.logInt(64, 2 ** 53 - 1), ...random.bytes(random.int(0, 32))),
      )
    },
  },
  {
    name: 'random bytes',
    weight: 10,
    build: ({ random }) => one(random.bytes(random.logInt(1, 512))),
  },
  {
    name: 'garbage update',
    weight: 10,
    build: ({ random }) => one(writeUpdateFrame(random, random.bytes(random.logInt(1, 256)))),
  },
  {
    name: 'garbage state vector',
    weight: 8,
    build: ({ random }) => one(writeSyncStep1(random.bytes(random.logInt(1, 64)))),
  },
]
