// Sync frames: sync step 1s with real, empty and made-up state vectors, real trace updates, and
// crafted updates (nested maps, pending structs, clock gaps, unknown deletions, a huge insert),
// within and past the limits.
import { writeSyncStep1, writeSyncUpdate } from '../protocol/message.js'
import {
  clockGapUpdate,
  largeInsertUpdate,
  nestedMapsUpdate,
  overwriteUpdate,
  pendingStructsUpdate,
  unknownDeletionUpdate,
} from './crafted-updates.js'
import { claim } from './expectation.js'
import { type FrameKind, one, varUints, writeUpdateFrame } from './frame-kind.js'
import type { Random } from './random.js'

function madeUpStateVector(random: Random): Uint8Array {
  const clients = random.int(0, 8)
  const values = [clients]
  for (let i = 0; i < clients; i++) {
    values.push(random.int(0, 2 ** 32 - 1), random.logInt(1, 2 ** 40))
  }
  return varUints(...values)
}

/** The sync kinds, by weight (a trace run is about eight frames, the others one or two). */
export const syncFrameKinds: readonly FrameKind[] = [
  {
    name: 'sync step 1, trace state vector',
    weight: 30,
    build: ({ random, corpus }) => one(writeSyncStep1(random.pick(corpus.checkpoints).stateVector)),
  },
  {
    name: 'sync step 1, empty state vector',
    weight: 6,
    build: () => one(writeSyncStep1(Uint8Array.of(0))),
  },
  {
    name: 'sync step 1, made-up state vector',
    weight: 30,
    build: ({ random }) => one(writeSyncStep1(madeUpStateVector(random))),
  },
  {
    // An offline client coming back: its whole state, then the transactions that follow it.
    name: 'trace run',
    weight: 25,
    build: ({ random, corpus }) => {
      const checkpoint = random.pick(corpus.checkpoints)
      const following = corpus.updates.slice(
        checkpoint.transactions,
        checkpoint.transactions + random.logInt(1, 24),
      )
      return [checkpoint.state, ...following].map((update) => ({
        frame: writeUpdateFrame(random, update),
        claimed: claim.open,
      }))
    },
  },
  {
    name: 'trace update out of order',
    weight: 40,
    build: ({ random, corpus }) => one(writeUpdateFrame(random, random.pick(corpus.updates))),
  },
  {
    name: 'nested maps within the limit',
    weight: 15,
    build: ({ random, limits, newClientId }) => {
      const client = newClientId()
      const depth = random.int(1, limits.maxNestingDepth - 10)
      const nest = {
        frame: writeUpdateFrame(random, nestedMapsUpdate(client, depth)),
        claimed: claim.open,
      }
      if (random.chance(0.5)) return [nest]
      // Then overwrite the top map's key: Yjs deletes the whole chain.
      return [
        nest,
        { frame: writeSyncUpdate(overwriteUpdate(client, depth, 0)), claimed: claim.open },
      ]
    },
  },
  {
    name: 'nested maps near the limit',
    weight: 3,
    build: ({ random, limits, newClientId }) =>
      one(
        writeUpdateFrame(
          random,
          nestedMapsUpdate(
            newClientId(),
            random.int(limits.maxNestingDepth - 9, limits.maxNestingDepth + 20),
          ),
        ),
      ),
  },
  {
    name: 'nested maps past the limit',
    weight: 5,
    build: ({ random, limits, newClientId }) =>
      one(
        writeUpdateFrame(
          random,
          nestedMapsUpdate(newClientId(), random.logInt(limits.maxNestingDepth + 21, 10_000)),
        ),
        claim.closedWith(1007),
      ),
  },
  {
    name: 'pending structs',
    weight: 15,
    build: ({ random, newClientId }) =>
      one(
        writeUpdateFrame(
          random,
          pendingStructsUpdate(newClientId(), newClientId(), random.logInt(1, 2_000)),
        ),
      ),
  },
  {
    name: 'pending structs past the limit',
    weight: 2,
    build: ({ random, limits, newClientId }) =>
      one(
        writeUpdateFrame(
          random,
          pendingStructsUpdate(
            newClientId(),
            newClientId(),
            limits.maxPendingBytes + random.logInt(1, 65_536),
          ),
        ),
        claim.closedWith(1007),
      ),
  },
  {
    name: 'update after a clock gap',
    weight: 10,
    build: ({ random, newClientId }) =>
      one(
        writeUpdateFrame(
          random,
          clockGapUpdate(newClientId(), random.logInt(1, 2 ** 30), random.word(random.int(1, 40))),
        ),
      ),
  },
  {
    name: 'deletion of unknown content',
    weight: 10,
    build: ({ random, newClientId }) =>
      one(
        writeUpdateFrame(
          random,
          unknownDeletionUpdate(newClientId(), random.int(0, 1_000), random.logInt(1, 2 ** 30)),
        ),
      ),
  },
  {
    name: 'document past its size limit',
    weight: 0.1,
    build: ({ random, limits, newClientId }) =>
      one(
        writeUpdateFrame(
          random,
          largeInsertUpdate(newClientId(), limits.maxDocumentBytes + random.logInt(1, 16_384)),
        ),
        claim.closedWith(4413),
      ),
  },
]
