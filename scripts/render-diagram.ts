// Renders docs/cluster.svg to docs/cluster.png (the README's cluster figure) with Debian's
// Chromium in a fresh headless profile. Run: node --import tsx scripts/render-diagram.ts
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { chromiumLaunchArgs, chromiumPath } from '../test/helpers/chromium.js'

const svgPath = fileURLToPath(new URL('../docs/cluster.svg', import.meta.url))
const pngPath = fileURLToPath(new URL('../docs/cluster.png', import.meta.url))

const svg = await readFile(svgPath, 'utf8')
const size = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg)
if (!size) throw new Error(`${svgPath}: no width and height on the <svg> element`)
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumLaunchArgs })
try {
  const page = await browser.newPage({
    viewport: { width: Number(size[1]), height: Number(size[2]) },
  })
  await page.setContent(`<body style="margin:0">${svg}</body>`, { waitUntil: 'load' })
  await page.screenshot({ path: pngPath })
} finally {
  await browser.close()
}
console.log(`wrote ${pngPath}`)
