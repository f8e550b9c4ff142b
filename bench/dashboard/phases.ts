// The load the dashboard recording runs, phase by phase: the benchmark's own scenarios (fan-out,
// many rooms, churn) in its load-generator process, plus viewers with presence, slow readers and
// refused upgrades from the recorder itself, so that every panel has something to show.
import type { LoadGenerator } from '../load-generator.js'
import type { Target } from '../load/client.js'
import { sleep } from '../load/measure.js'
import type { Params, ScenarioName, ServerInfo } from '../scenarios/types.js'
import { startPresence } from './presence.js'
import { overfillDocument, refuseBadNames } from './refusals.js'
import { overflowSlowReaders } from './slow-reader.js'

const maxConnectionsPerRoom = 120

/**
 * Limits the phases rely on, as the server's environment variables: a document accepts 120
 * connections (the overfilled one passes that), and a connection may have 4 MiB waiting to be
 * sent (32 MiB by default), so that a slow reader overflows after seconds of large updates.
 */
export const phaseLimits = {
  MAX_CONNECTIONS_PER_ROOM: String(maxConnectionsPerRoom),
  MAX_BUFFERED_BYTES: '4MiB',
}

/** What a phase drives the load with. */
export interface PhaseContext {
  readonly generator: LoadGenerator
  readonly server: ServerInfo
  readonly target: Target
}

/** One phase: its name in the picture's annotations, and the load it runs until it resolves. */
export interface LoadPhase {
  readonly name: string
  run(context: PhaseContext): Promise<void>
}

async function runScenario(context: PhaseContext, scenario: ScenarioName, params: Params) {
  await context.generator.run({ scenario, params, server: context.server, profileDir: null }, () =>
    Promise.reject(new Error('the dashboard recording never restarts the server')),
  )
}

/**
 * The phases, in order: about three and a half minutes in all. The busy ones last about as long
 * as the dashboard's one-minute rate windows, so that their rates reach a steady value.
 */
export const loadPhases: readonly LoadPhase[] = [
  { name: 'idle', run: () => sleep(10_000) },
  {
    name: 'fan-out: 100 updates/s to 100 receivers',
    run: (context) =>
      runScenario(context, 'fanout', { rate: 100, receivers: 100, durationMs: 60_000 }),
  },
  {
    name: 'many rooms: 300 × 2 editors, 30 viewers with presence',
    run: async (context) => {
      const presence = startPresence(context.target.baseUrl, `presence-${Date.now()}`, 30, 5)
      try {
        await runScenario(context, 'many-rooms', { rooms: 300, durationMs: 60_000 })
      } finally {
        presence.stop()
      }
    },
  },
  {
    name: 'churn: 4 × 200 rooms',
    run: (context) => runScenario(context, 'churn', { cycles: 4, rooms: 200, idleMs: 2000 }),
  },
  {
    name: 'slow readers, refused upgrades',
    run: async ({ target }) => {
      const suffix = Date.now().toString(36)
      await Promise.all([
        overflowSlowReaders(target, `slow-${suffix}`, 4, 3000),
        overfillDocument(target, `full-${suffix}`, maxConnectionsPerRoom, {
          count: 4,
          extra: 5,
          gapMs: 4000,
        }),
        refuseBadNames(target.baseUrl, 10),
      ])
    },
  },
  { name: 'quiet', run: () => sleep(30_000) },
]
