// Debian's Chromium as every headless run here launches it: the browser tests and the dashboard
// renderer (bench/dashboard/screenshot.ts).

/** The Chromium binary: $CHROMIUM_PATH, else Debian's. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Headless, in a fresh profile, with nothing that reaches the network by itself. */
export const chromiumLaunchArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]
