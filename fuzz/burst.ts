// Plans one burst: the frames one hostile connection sends to one document, each with what the
// server must do with it. A burst is a pure function of its seed, so a failure can be replayed.
import type { TraceCorpus } from './corpus.js'
import { type Expectation, type Frame, type FuzzLimits, predict } from './expectation.js'
import type { FrameContext, FrameKind } from './frame-kind.js'
import { frameKinds } from './frame-kinds.js'
import { mutate } from './mutations.js'
import { Random } from './random.js'

/** A frame of a burst with its kind (and mutations) and what the server must do with it. */
export interface PlannedFrame {
  readonly frame: Frame
  readonly kind: string
  readonly mutations: readonly string[]
  readonly expectation: Expectation
}

/** Where a burst goes; writers' documents get only frames that cannot change their content. */
export interface BurstTarget {
  readonly room: string
  readonly isWriterRoom: boolean
  readonly foreignAwarenessIds: readonly number[]
}

/** Everything a burst is planned from besides its seed. */
export interface BurstPlanContext {
  readonly corpus: TraceCorpus
  readonly limits: FuzzLimits
}

const mutationRate = 0.3
// Frames that close the connection end the burst; most are kept for the end of a long burst, so
// that a connection carries many frames (a new connection per frame would measure the upgrade).
const earlyCloseRate = 0.15
const longestBurst = 96
const shuffleRate = 0.15

/** Awareness ids only this burst uses: two per burst, from 2^31 up. */
export function ownAwarenessIds(burstKey: number): number[] {
  return [0, 1].map((offset) => 2 ** 31 + burstKey * 2 + offset)
}

// Crafted Yjs clients: from 2^20 up, a range of them per burst, so bursts never share one.
const craftedClientsPerBurst = 256
const craftedClientSpace = 2 ** 31 - 2 ** 20

/** The frames of one burst of at most `maxFrames` frames. */
export function planBurst(
  seed: number,
  burstKey: number,
  target: BurstTarget,
  context: BurstPlanContext,
  maxFrames: number,
): PlannedFrame[] {
  const random = new Random(seed)
  let nextClient = 0
  const ownIds = ownAwarenessIds(burstKey)
  const frameContext: FrameContext = {
    random,
    corpus: context.corpus,
    limits: context.limits,
    ownAwarenessIds: ownIds,
    foreignAwarenessIds: target.foreignAwarenessIds,
    newClientId: () =>
      2 ** 20 + ((burstKey * craftedClientsPerBurst + nextClient++) % craftedClientSpace),
  }
  const length = Math.min(maxFrames, random.logInt(1, longestBurst))
  const frames: PlannedFrame[] = []
  const ledger = { ownIds: new Set(ownIds), announced: new Set<number>() }
  while (frames.length < length) {
    const isLast = frames.length === length - 1
    const kept: PlannedFrame[] = []
    const announced: number[] = []
    for (const { claimed, ...drawn } of drawFrames(frameContext)) {
      const { expectation, announcedIds } = predict(drawn.frame, context.limits, ledger, claimed)
      if (target.isWriterRoom && expectation.canChangeContent) break
      kept.push({ ...drawn, expectation })
      announced.push(...announcedIds)
      if (expectation.outcome === 'closed') break
    }
    const closes = kept.at(-1)?.expectation.outcome === 'closed'
    if (closes && !isLast && !random.chance(earlyCloseRate)) continue
    frames.push(...kept.slice(0, length - frames.length))
    for (const id of announced) ledger.announced.add(id)
    if (closes) break
  }
  if (frames.length <= 2 || !random.chance(shuffleRate)) return frames
  const canGrow = frames.length < maxFrames
  return repredict(shuffleOpenPart(random, frames, canGrow), context.limits, ownIds)
}

interface DrawnFrame {
  readonly frame: Frame
  readonly kind: string
  readonly mutations: readonly string[]
  readonly claimed?: Expectation
}

/** Draws a kind and builds its frames, mutated (only the first of a run) at the mutation rate. */
function drawFrames(context: FrameContext): DrawnFrame[] {
  const { random } = context
  const kind: FrameKind = random.weighted(frameKinds)
  const built = kind.build(context)
  if (!random.chance(mutationRate)) {
    return built.map(({ frame, claimed }) => ({ frame, kind: kind.name, mutations: [], claimed }))
  }
  // A mutated frame is binary (a text frame is mutated as its bytes); its generator's claim no
  // longer holds.
  const [first] = built
  const frame = first?.frame ?? new Uint8Array()
  const bytes = typeof frame === 'string' ? new TextEncoder().encode(frame) : frame
  const mutated = mutate(random, bytes, random.pick(context.corpus.updates))
  return [{ frame: mutated.frame, kind: kind.name, mutations: mutated.applied }]
}

// Duplicates a frame (if the burst may grow) and swaps two neighbours, among the frames before the
// last (which alone may close the connection).
function shuffleOpenPart(
  random: Random,
  frames: readonly PlannedFrame[],
  canGrow: boolean,
): PlannedFrame[] {
  const last = frames.length - 1
  const result = frames.slice(0, last)
  if (canGrow) result.splice(random.int(0, result.length), 0, random.pick(result))
  const at = random.int(0, result.length - 2)
  ;[result[at], result[at + 1]] = [result[at + 1]!, result[at]!]
  return [...result, frames[last]!]
}

// After a shuffle: a frame claimed to stay open may now arrive before what it builds on (and be
// refused as pending content), and what awareness a frame may announce depends on the frames
// before it; so every frame is predicted again, in the new order, keeping only closing claims.
function repredict(
  frames: readonly PlannedFrame[],
  limits: FuzzLimits,
  ownIds: readonly number[],
): PlannedFrame[] {
  const ledger = { ownIds: new Set(ownIds), announced: new Set<number>() }
  return frames.map((planned) => {
    const claimed = planned.expectation.outcome === 'closed' ? planned.expectation : undefined
    const { expectation, announcedIds } = predict(planned.frame, limits, ledger, claimed)
    for (const id of announcedIds) ledger.announced.add(id)
    return { ...planned, expectation }
  })
}
