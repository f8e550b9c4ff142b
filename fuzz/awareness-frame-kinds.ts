// Awareness frames: presence of the connection's own client ids, removals, queries, and the
// hostile ones: too large, too many ids, other connections' ids (spoofing), bad JSON.
import { type AwarenessEntry, writeAwarenessUpdate } from '../protocol/awareness-codec.js'
import { writeAwareness, writeQueryAwareness } from '../protocol/message.js'
import { type FrameKind, one } from './frame-kind.js'
import type { Random } from './random.js'

/** A JSON value of a few levels, the shape of a presence state. */
function randomJson(random: Random, depth = 0): unknown {
  const choice = random.int(0, depth >= 2 ? 3 : 5)
  switch (choice) {
    case 0:
      return random.int(-1e6, 1e6)
    case 1:
      return random.word(random.int(0, 12))
    case 2:
      return random.chance(0.5)
    case 3:
      return String.fromCodePoint(random.int(0x20, 0x10ffff >> random.int(0, 8)))
    case 4:
      return Array.from({ length: random.int(0, 4) }, () => randomJson(random, depth + 1))
    default:
      return Object.fromEntries(
        Array.from({ length: random.int(0, 4) }, () => [
          random.word(random.int(1, 8)),
          randomJson(random, depth + 1),
        ]),
      )
  }
}

const presence = (random: Random): string =>
  JSON.stringify({ user: { name: random.word(6), color: '#0af' }, cursor: randomJson(random) })

function awarenessFrame(entries: readonly AwarenessEntry[]): Uint8Array {
  return writeAwareness(writeAwarenessUpdate(entries))
}

/** Broken JSON: a valid state cut short or given a stray character. */
function badJson(random: Random): string {
  for (;;) {
    const json = presence(random)
    const broken = random.chance(0.5)
      ? json.slice(0, random.int(0, json.length - 1))
      : json.replace(/[:,]/, random.pick(['', '::', ',,', '}']))
    try {
      JSON.parse(broken)
    } catch {
      return broken
    }
  }
}

/** The awareness kinds, by weight. */
export const awarenessFrameKinds: readonly FrameKind[] = [
  {
    name: 'awareness, own client ids',
    weight: 80,
    build: ({ random, ownAwarenessIds }) =>
      one(
        awarenessFrame(
          ownAwarenessIds
            .filter(() => random.chance(0.7))
            .map((clientId) => ({
              clientId,
              clock: random.logInt(1, 1_000),
              stateJson: presence(random),
            })),
        ),
      ),
  },
  {
    name: 'awareness, own removal',
    weight: 15,
    build: ({ random, ownAwarenessIds }) =>
      one(
        awarenessFrame([
          {
            clientId: random.pick(ownAwarenessIds),
            clock: random.logInt(1, 1_000),
            stateJson: 'null',
          },
        ]),
      ),
  },
  { name: 'query awareness', weight: 30, build: () => one(writeQueryAwareness()) },
  {
    name: 'awareness past the size limit',
    weight: 0.5,
    build: ({ random, limits, ownAwarenessIds }) =>
      one(
        awarenessFrame([
          {
            clientId: random.pick(ownAwarenessIds),
            clock: random.logInt(1, 1_000),
            stateJson: JSON.stringify({
              user: 'x'.repeat(limits.maxAwarenessBytes + random.logInt(1, 4_096)),
            }),
          },
        ]),
      ),
  },
  {
    name: 'awareness, many client ids',
    weight: 8,
    build: ({ random, limits }) =>
      one(
        awarenessFrame(
          Array.from(
            { length: random.logInt(limits.maxAwarenessClientsPerConnection + 1, 400) },
            () => ({
              clientId: random.int(0, 2 ** 32 - 1),
              clock: random.logInt(1, 1_000),
              stateJson: presence(random),
            }),
          ),
        ),
      ),
  },
  {
    // Spoofing: taking over, or removing, the presence of a writer or of another connection.
    name: "awareness, other connections' client ids",
    weight: 15,
    build: ({ random, foreignAwarenessIds }) =>
      one(
        awarenessFrame(
          Array.from({ length: random.int(1, 3) }, () => ({
            clientId: random.pick(foreignAwarenessIds),
            clock: random.logInt(1, 2 ** 31),
            stateJson: random.chance(0.3) ? 'null' : presence(random),
          })),
        ),
      ),
  },
  {
    name: 'awareness, bad JSON',
    weight: 8,
    build: ({ random, ownAwarenessIds }) =>
      one(
        awarenessFrame([
          { clientId: random.pick(ownAwarenessIds), clock: 1, stateJson: badJson(random) },
        ]),
      ),
  },
]
