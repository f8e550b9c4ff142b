// Renders docs/dashboard.png from a real run: records our built server's /metrics under the
// benchmark's load (recorder.ts), then draws docs/grafana-dashboard.json over the recording
// (render.ts). Run: node scripts/build.mjs && node --import tsx bench/dashboard/main.ts
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { record } from './recorder.js'
import { renderDashboard } from './render.js'

const usage = `usage: node --import tsx bench/dashboard/main.ts [options]
  --series FILE    the series file to record into, or render from (default: ${join(tmpdir(), 'collab-dashboard-series.jsonl')})
  --render-only    render the series file as it is, without recording
  --out FILE       the picture (default: docs/dashboard.png)
  --width PX       its width (default: 1600)
  --help`

const { values } = parseArgs({
  options: {
    series: { type: 'string', default: join(tmpdir(), 'collab-dashboard-series.jsonl') },
    'render-only': { type: 'boolean', default: false },
    out: { type: 'string', default: 'docs/dashboard.png' },
    width: { type: 'string', default: '1600' },
    help: { type: 'boolean', default: false },
  },
})

async function main(): Promise<void> {
  if (values.help) {
    console.log(usage)
    return
  }
  if (!values['render-only']) {
    if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js is missing: run npm run build')
    const args = process.argv.slice(2)
    await record(values.series, ['node --import tsx bench/dashboard/main.ts', ...args].join(' '))
  }
  await renderDashboard({
    dashboardPath: 'docs/grafana-dashboard.json',
    recordingPath: values.series,
    outputPath: values.out,
    width: Number(values.width),
  })
  console.log(`dashboard: ${values.out}`)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130))

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
