// The load generator process: receives one task at a time from the orchestrator over IPC, runs
// the scenario against the server named in it and sends back the measurement.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isOurs } from '../scenarios/types.js'
import type {
  HostMessage,
  LoadMessage,
  ScenarioName,
  ServerInfo,
  Task,
} from '../scenarios/types.js'
import { churn } from '../scenarios/churn.js'
import { coldLoad } from '../scenarios/cold-load.js'
import { fanout } from '../scenarios/fanout.js'
import { idle } from '../scenarios/idle.js'
import { manyRooms } from '../scenarios/many-rooms.js'
import { traceReplay } from '../scenarios/trace-replay.js'
import type { LoadContext, Scenario } from './context.js'
import { startAllocationSampling } from './allocation-sampling.js'
import { openWindow, settle } from './measure.js'
import type { MeasurementWindow } from './measure.js'

const scenarios: Record<ScenarioName, Scenario> = {
  fanout,
  'many-rooms': manyRooms,
  idle,
  churn,
  'cold-load': coldLoad,
  'trace-replay': traceReplay,
}

function send(message: LoadMessage): void {
  process.send?.(message)
}

let onRestarted: ((server: ServerInfo) => void) | null = null

// Allocation profiles still being fetched from the server; a result waits for them.
const profileWrites: Array<Promise<void>> = []

function sampledWindow(task: Task, server: ServerInfo): MeasurementWindow {
  const window = openWindow(server.pid)
  const { profileDir } = task
  if (!profileDir || server.inspectPort === undefined) return window
  const sampling = startAllocationSampling(server.inspectPort)
  return {
    close() {
      const result = window.close()
      const path = join(profileDir, `Alloc.${task.scenario}.${server.pid}.heapprofile`)
      profileWrites.push(
        sampling.then(async (running) => writeFileSync(path, JSON.stringify(await running.stop()))),
      )
      return result
    },
  }
}

function contextFor(task: Task): LoadContext {
  let server = task.server
  return {
    server: () => server,
    target: () => ({
      baseUrl: server.baseUrl,
      protocol: server.protocol,
      hasServerState: server.hasServerState,
    }),
    restart: () =>
      new Promise<void>((resolve) => {
        onRestarted = (restarted) => {
          server = restarted
          resolve()
        }
        send({ type: 'restart' })
      }),
    openWindow: () => sampledWindow(task, server),
    takeHeapSnapshot: async () => {
      if (!task.profileDir || !isOurs(server.kind)) return
      process.kill(server.pid, 'SIGUSR2')
      await settle(server.pid, 1000, 120_000)
    },
  }
}

async function run(task: Task): Promise<void> {
  try {
    const measurement = await scenarios[task.scenario](contextFor(task), task.params)
    await Promise.all(profileWrites.splice(0))
    send({ type: 'result', measurement })
  } catch (error) {
    send({
      type: 'failed',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    })
  }
  globalThis.gc?.()
}

process.on('message', (message: HostMessage) => {
  switch (message.type) {
    case 'task':
      void run(message.task)
      return
    case 'restarted':
      onRestarted?.(message.server)
      onRestarted = null
      return
  }
})
process.on('disconnect', () => process.exit(0))
send({ type: 'ready' })
