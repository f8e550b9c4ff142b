// What operations tooling does to the ours-ops server, run in the orchestrator from before the
// server starts until after it stopped: a receiver for its webhooks that answers 200 and only
// counts the calls, and a scraper that reads the whole of GET /metrics once a second.
import { randomBytes } from 'node:crypto'
import type { Figures, Span } from './scenarios/types.js'
import { startWebhookReceiver } from './webhook-receiver.js'

/** How often the scraper reads /metrics (a Prometheus scrapes every 15 s by default). */
const scrapeIntervalMs = 1000
const scrapeTimeoutMs = 5000

/**
 * How ours-ops debounces its webhooks: a document edited without pause gets a document.changed,
 * content included, once a second, as often as it is scraped (the defaults, 2 s of quiet and
 * 10 s at most, would put no call inside a 5 s fan-out window).
 */
const webhookTimingArgs = ['--webhook-debounce-ms', '1000', '--webhook-max-wait-ms', '1000']

/** The ours-ops traffic of one server process; the server's owner (bench/servers.ts) drives it. */
export interface OpsTraffic {
  /** Our server's flags that send its webhooks, with Markdown content, to the receiver. */
  readonly serverArgs: string[]
  /** Starts scraping `metricsUrl`; call once the server listens. */
  startScraping(metricsUrl: string): void
  /** Scrapes read whole and webhook calls answered within `span`. */
  figuresIn(span: Span): Figures
  /** Stops the scraper and waits for a scrape under way; call before stopping the server. */
  stopScraping(): Promise<void>
  /**
   * Closes the receiver; call after the server stopped, as it flushes its webhooks on shutdown.
   * Calling it again does nothing.
   */
  close(): Promise<void>
}

const countIn = (times: number[], span: Span): number =>
  times.filter((at) => at >= span.fromEpochMs && at <= span.toEpochMs).length

/** Starts the webhook receiver; the scraper waits for `startScraping`. */
export async function startOpsTraffic(): Promise<OpsTraffic> {
  const callTimes: number[] = []
  const scrapeTimes: number[] = []
  const receiver = await startWebhookReceiver(() => {
    callTimes.push(Date.now())
    return 200
  })
  let timer: NodeJS.Timeout | undefined
  let scraping: Promise<void> | null = null

  const scrape = async (metricsUrl: string): Promise<void> => {
    try {
      const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(scrapeTimeoutMs) })
      await response.arrayBuffer()
      if (!response.ok) throw new Error(`status ${response.status}`)
      scrapeTimes.push(Date.now())
    } catch (error) {
      // The run goes on; the missing scrape shows in the figures.
      console.error(`  ours-ops: GET ${metricsUrl} failed: ${String(error)}`)
    }
  }

  return {
    serverArgs: [
      '--webhook-url',
      receiver.url,
      // Signed as always; the receiver checks nothing, so any secret of the minimum length does.
      '--webhook-secret',
      randomBytes(16).toString('hex'),
      '--webhook-content',
      'markdown',
      ...webhookTimingArgs,
    ],
    startScraping(metricsUrl) {
      timer = setInterval(() => {
        // A scrape slower than the interval makes the next one wait, as in Prometheus.
        if (scraping) return
        scraping = scrape(metricsUrl).finally(() => {
          scraping = null
        })
      }, scrapeIntervalMs)
    },
    figuresIn: (span) => ({
      metricsScrapes: countIn(scrapeTimes, span),
      webhookCalls: countIn(callTimes, span),
    }),
    async stopScraping() {
      clearInterval(timer)
      await scraping
    },
    close: () => receiver.close(),
  }
}
