// Every kind of frame the fuzzer sends, with its weight: valid frames built from the trace corpus
// and the protocol module, frames crafted to cross each limit, and broken envelopes. Mutations of
// all of them are added by the burst planner (fuzz/burst.ts).
import { awarenessFrameKinds } from './awareness-frame-kinds.js'
import { brokenFrameKinds } from './broken-frame-kinds.js'
import type { FrameKind } from './frame-kind.js'
import { syncFrameKinds } from './sync-frame-kinds.js'

/** Every kind; weights are relative across the three lists. */
export const frameKinds: readonly FrameKind[] = [
  ...syncFrameKinds,
  ...awarenessFrameKinds,
  ...brokenFrameKinds,
]
