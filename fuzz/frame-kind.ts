// What a frame kind is, and the helpers every kind builds frames with.
import * as encoding from 'lib0/encoding'
import { writeSyncStep2, writeSyncUpdate } from '../protocol/message.js'
import type { TraceCorpus } from './corpus.js'
import type { Expectation, Frame, FuzzLimits } from './expectation.js'
import type { Random } from './random.js'

/** What a frame kind builds from. */
export interface FrameContext {
  readonly random: Random
  readonly corpus: TraceCorpus
  readonly limits: FuzzLimits
  /** Awareness client ids that belong to this connection alone. */
  readonly ownAwarenessIds: readonly number[]
  /** Awareness client ids other connections of the document use (writers', shared ones). */
  readonly foreignAwarenessIds: readonly number[]
  /** A Yjs client id no writer, trace or earlier crafted update uses. */
  readonly newClientId: () => number
}

/** One frame of a kind, with what its generator knows about it. */
export interface BuiltFrame {
  readonly frame: Frame
  readonly claimed?: Expectation
}

/** A kind of frame, drawn as often as its weight says; `build` may return a run of frames. */
export interface FrameKind {
  readonly name: string
  readonly weight: number
  readonly build: (context: FrameContext) => readonly BuiltFrame[]
}

/** A run of one frame. */
export const one = (frame: Frame, claimed?: Expectation): BuiltFrame[] => [{ frame, claimed }]

/** An update as a sync step 2 or a sync update, the two ways it reaches the server. */
export function writeUpdateFrame(random: Random, update: Uint8Array): Uint8Array {
  return random.chance(0.5) ? writeSyncUpdate(update) : writeSyncStep2(update)
}

/** Bytes of varUints, for hand-made envelopes and state vectors. */
export function varUints(...values: readonly number[]): Uint8Array {
  const encoder = encoding.createEncoder()
  for (const value of values) encoding.writeVarUint(encoder, value)
  return encoding.toUint8Array(encoder)
}
