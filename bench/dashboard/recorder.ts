// The recorder: starts our built server as the benchmark does (bench/servers.ts, a snapshot of
// dist/cli.js, metrics and webhooks on), scrapes its /metrics once a second into a series file
// while the load phases run, and stops everything again.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildChildScripts } from '../child-scripts.js'
import { LoadGenerator } from '../load-generator.js'
import { startServer } from '../servers.js'
import { loadPhases, phaseLimits } from './phases.js'
import { RecordingWriter } from './recording.js'
import { refuseBadNames } from './refusals.js'
import { startScraper } from './scraper.js'
import { startWebhookReceiver } from '../webhook-receiver.js'

/** Prometheus's scrape interval in the recording. */
const scrapeIntervalMs = 1000
/** Besides the refusal phase, one refused upgrade this often all along. */
const refusalIntervalMs = 5000

/** Records the load phases into the series file at `seriesPath`; `command` is noted in it. */
export async function record(seriesPath: string, command: string): Promise<void> {
  const scripts = await buildChildScripts()
  // One call in 20 fails, so that some deliveries are retried.
  // One call in 20 fails with 503, so that the server retries some deliveries.
  const receiver = await startWebhookReceiver(({ index }) => ((index + 1) % 20 === 0 ? 503 : 204))
  // bench/servers.ts hands the server this process's environment: the settings the benchmark's
  // flags leave alone go through it.
  Object.assign(process.env, {
    WEBHOOK_URL: receiver.url,
    WEBHOOK_SECRET: randomBytes(24).toString('hex'),
    WEBHOOK_DEBOUNCE_MS: '1000',
    ...phaseLimits,
  })
  const dataDir = mkdtempSync(join(tmpdir(), 'collab-dashboard-'))
  const server = await startServer('ours', {
    dataDir,
    launchers: { ours: scripts.ours, relay: scripts.relay },
    oursNodeFlags: [],
    shouldInspectOurs: false,
  })
  const instance = new URL(server.info.baseUrl).host
  const writer = new RecordingWriter(seriesPath)
  writer.write({ kind: 'target', labels: { instance, job: 'collab' }, command })
  let scrapes = 0
  const scraper = startScraper(`http://${instance}/metrics`, scrapeIntervalMs, (atMs, text) => {
    scrapes++
    writer.write({ kind: 'scrape', atMs, text })
  })
  const trickle = setInterval(() => void refuseBadNames(server.info.baseUrl, 1), refusalIntervalMs)
  const generator = await LoadGenerator.start(scripts.load)
  const target = {
    baseUrl: server.info.baseUrl,
    protocol: server.info.protocol,
    hasServerState: server.info.hasServerState,
  }
  try {
    for (const phase of loadPhases) {
      console.log(`${new Date().toISOString()} ${phase.name}`)
      writer.write({ kind: 'phase', atMs: Date.now(), name: phase.name })
      await phase.run({ generator, server: server.info, target })
    }
  } finally {
    clearInterval(trickle)
    generator.close()
    const failedScrapes = await scraper.stop()
    await server.stop()
    await receiver.close()
    rmSync(dataDir, { recursive: true, force: true })
    console.log(
      `${scrapes} scrapes (${failedScrapes} failed) into ${seriesPath}; ${receiver.calls()} webhook calls`,
    )
  }
}
