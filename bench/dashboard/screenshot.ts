// Turns the rendered page into a PNG with Debian's Chromium in a fresh headless profile, driven by
// playwright-core (no browser download: the machines cannot fetch one).
import { chromium } from 'playwright-core'
import type { Page } from './dashboard-page.js'

/** The Chromium binary: $CHROMIUM_PATH, else Debian's. */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const launchArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** Writes `page` as a PNG of exactly its size to `path`. */
export async function screenshot(page: Page, path: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: launchArgs })
  try {
    const context = await browser.newContext({
      viewport: { width: page.width, height: page.height },
      deviceScaleFactor: 1,
    })
    const tab = await context.newPage()
    await tab.setContent(page.html, { waitUntil: 'load' })
    await tab.screenshot({ path, fullPage: true })
  } finally {
    await browser.close()
  }
}
