// Scrapes GET /metrics at a fixed interval, as Prometheus would, handing each exposition with the
// time its scrape started to a callback. A failed or late scrape is counted and skipped, as
// Prometheus records nothing for it either.
import { sleep } from '../load/measure.js'

/** A running scraper; `stop` waits for the scrape in flight and returns how many failed. */
export interface Scraper {
  stop(): Promise<number>
}

/** Scrapes `url` every `intervalMs` (each scrape may take as long) until stopped. */
export function startScraper(
  url: string,
  intervalMs: number,
  onScrape: (atMs: number, text: string) => void,
): Scraper {
  let isRunning = true
  let failures = 0
  const loop = (async () => {
    let nextMs = Date.now()
    while (isRunning) {
      const atMs = Date.now()
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(intervalMs) })
        if (response.ok) onScrape(atMs, await response.text())
        else failures++
      } catch {
        failures++
      }
      // A scrape that took longer than the interval delays the next one rather than bunching them.
      nextMs = Math.max(nextMs + intervalMs, Date.now())
      await sleep(nextMs - Date.now())
    }
  })()
  return {
    async stop() {
      isRunning = false
      await loop
      return failures
    },
  }
}
