import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { runSoak } from '../../fuzz/soak.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { hasTrace, tracePath } from '../helpers/trace.js'

const isCi = process.env.CI === 'true'
const skipReason = hasTrace ? false : `the editing trace is missing at ${tracePath}`
if (skipReason && !isCi) console.warn(`SKIPPING the fuzz slice: ${skipReason}`)

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url))
const slice = { frames: 20_000, seed: 20_261_201, connections: 8, documents: 8, writerDocuments: 2 }

test(
  `a seeded fuzz slice of ${slice.frames} frames (seed ${slice.seed}) crashes nothing, hangs nothing and harms no document`,
  { skip: isCi ? false : skipReason, timeout: 120_000 },
  async (t) => {
    const report = await runSoak({
      ...slice,
      deadlineMs: 10_000,
      probeIntervalMs: 500,
      // The server command from source, as the other process tests run it (npm run fuzz runs dist/).
      server: {
        entry: ['--import', 'tsx', 'cli/main.ts'],
        cwd: repositoryRoot,
        dataDirectory: await makeTempDir(t, 'collab-fuzz-'),
      },
      replayCommand:
        `npm run fuzz -- --seed ${slice.seed} --frames ${slice.frames} --connections ${slice.connections} ` +
        `--documents ${slice.documents} --writer-documents ${slice.writerDocuments}`,
    })
    assert.ok(report.isClean, report.format())
    assert.equal(report.frames, slice.frames)
    assert.ok(report.probes > 0, 'the liveness probe ran')
    // The slice is hostile enough to be worth running: it crossed the common refusals.
    for (const code of ['1002', '1003', '1007', '1009']) {
      assert.ok(report.endings.has(code), `some connection was closed with ${code}`)
    }
  },
)
