// The hostile side of a run: `connections` slots, each sending its share of the frames as bursts
// over connections one after another. Slot s, burst i is planned from (seed, s, i) alone.
import { setTimeout as delay } from 'node:timers/promises'
import { type BurstTarget, type PlannedFrame, planBurst, type BurstPlanContext } from './burst.js'
import { expectedAnswers, judgeBurst } from './burst-verdict.js'
import { runHostileConnection } from './hostile-connection.js'
import { Random, mixSeed } from './random.js'
import type { RecentUpdates } from './recent-updates.js'
import type { FuzzReport } from './report.js'

/** Documents the hostile connections aim at. */
export interface HostileTargets {
  readonly hostileRooms: readonly string[]
  /** Writers' documents, with their writers' awareness ids (to spoof). */
  readonly writerRooms: ReadonlyArray<{ room: string; writerIds: readonly number[] }>
}

/** What the slots share. */
export interface SlotsContext {
  readonly url: string
  readonly seed: number
  readonly frames: number
  readonly connections: number
  readonly deadlineMs: number
  readonly targets: HostileTargets
  readonly plan: BurstPlanContext
  readonly report: FuzzReport
  /** Where the updates sent are remembered for a while. */
  readonly recentUpdates: RecentUpdates
  /** True once the run must stop (the server died). */
  readonly isAborted: () => boolean
  /** Called after each burst with the frames sent so far. */
  readonly onProgress: () => void
}

/** A burst being sent, for the report when the server dies under it. */
export interface InFlightBurst {
  readonly id: string
  readonly room: string
  readonly frames: readonly PlannedFrame[]
}

const writerRoomShare = 0.25
// Awareness ids several hostile connections use at once, just below the per-burst ids.
const sharedAwarenessIds = Array.from({ length: 8 }, (_, i) => 2 ** 31 - 1 - i)
const burstKindsShown = 12
const crashNoticeMs = 500

function chooseTarget(random: Random, targets: HostileTargets): BurstTarget {
  if (targets.writerRooms.length > 0 && random.chance(writerRoomShare)) {
    const { room, writerIds } = random.pick(targets.writerRooms)
    return { room, isWriterRoom: true, foreignAwarenessIds: [...writerIds, ...sharedAwarenessIds] }
  }
  return {
    room: random.pick(targets.hostileRooms),
    isWriterRoom: false,
    foreignAwarenessIds: sharedAwarenessIds,
  }
}

/** The frames slot `slot` sends in all. */
function slotBudget(context: SlotsContext, slot: number): number {
  const base = Math.floor(context.frames / context.connections)
  return base + (slot < context.frames % context.connections ? 1 : 0)
}

async function runSlot(
  context: SlotsContext,
  slot: number,
  inFlight: Map<number, InFlightBurst>,
): Promise<void> {
  const { seed, report } = context
  const budget = slotBudget(context, slot)
  let sent = 0
  for (let index = 0; sent < budget && !context.isAborted(); index++) {
    const target = chooseTarget(new Random(mixSeed(seed, slot, index, 1)), context.targets)
    const burstKey = index * context.connections + slot
    const frames = planBurst(
      mixSeed(seed, slot, index),
      burstKey,
      target,
      context.plan,
      budget - sent,
    )
    const id = `${slot}:${index}`
    inFlight.set(slot, { id, room: target.room, frames })
    context.recentUpdates.record(target.room, id, frames)
    const observation = await runHostileConnection(
      context.url,
      target.room,
      frames.map((frame) => frame.frame),
      expectedAnswers(frames),
      context.deadlineMs,
    )
    const verdict = judgeBurst(frames, observation)
    // A dying server resets its sockets a moment before its exit is seen: a failed burst waits
    // for that moment, so that the crash is reported once, by the run, with the bursts under it.
    if (verdict.failures.length > 0) await delay(crashNoticeMs)
    if (context.isAborted()) return
    inFlight.delete(slot)
    sent += frames.length
    report.bursts++
    for (const frame of frames) report.addFrame(frame)
    report.addEnding(verdict.ending)
    for (const failure of verdict.failures) {
      report.addFailure({
        kind: failure.kind,
        detail: failure.detail,
        room: target.room,
        burst: id,
        frame: failure.culprit,
        burstKinds: describeKinds(frames),
      })
    }
    context.onProgress()
  }
}

/** Kinds of a burst's frames, in order, for a failure report. */
export function describeKinds(frames: readonly PlannedFrame[]): string[] {
  const kinds = frames.map((frame) => (frame.mutations.length > 0 ? `${frame.kind}*` : frame.kind))
  if (kinds.length <= burstKindsShown) return kinds
  return [
    ...kinds.slice(0, 3),
    `… ${kinds.length - burstKindsShown + 1} more …`,
    ...kinds.slice(-(burstKindsShown - 4)),
  ]
}

/**
 * Runs every slot to the end of its share. `inFlight` holds each slot's burst while it is being
 * sent (for the report if the server dies).
 */
export async function runHostileSlots(
  context: SlotsContext,
  inFlight: Map<number, InFlightBurst>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: context.connections }, (_, slot) => runSlot(context, slot, inFlight)),
  )
}
