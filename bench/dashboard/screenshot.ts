// Turns the rendered page into a PNG with Debian's Chromium in a fresh headless profile, driven by
// playwright-core (no browser download: the machines cannot fetch one).
import { chromium } from 'playwright-core'
import { chromiumLaunchArgs, chromiumPath } from '../../test/helpers/chromium.js'
import type { Page } from './dashboard-page.js'

/** Writes `page` as a PNG of exactly its size to `path`. */
export async function screenshot(page: Page, path: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumLaunchArgs })
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
