import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Y from 'yjs'
import { connectProvider, waitSynced } from '../helpers/client.js'
import { spawnServer } from '../helpers/start-server.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { applyTraceTransaction, hasTrace, loadTrace, tracePath } from '../helpers/trace.js'
import { until } from '../helpers/until.js'

const isCi = process.env.CI === 'true'
const skipReason = hasTrace ? false : `the editing trace is missing at ${tracePath}`
if (skipReason && !isCi) console.warn(`SKIPPING the trace replay test: ${skipReason}`)

test(
  'two clients replaying the whole editing trace end with its final text, also after a restart',
  { skip: isCi ? false : skipReason, timeout: 600_000 },
  async (t) => {
    const trace = loadTrace()
    const dataDirectory = await makeTempDir(t)
    // The replay sends turns of 20,000 transactions at machine speed, far past any person's rate.
    const first = await spawnServer(t, dataDirectory, ['--max-messages-per-second', '0'])
    const clients = [connectProvider(t, first.url, 'paper'), connectProvider(t, first.url, 'paper')]
    await Promise.all(clients.map((client) => waitSynced(client)))

    // Clients take turns; a turn starts only once its client holds every earlier transaction.
    const turnLength = 20_000
    for (let start = 0, turn = 0; start < trace.txns.length; start += turnLength, turn++) {
      const writer = clients[turn % 2]!
      const reader = clients[(turn + 1) % 2]!
      const text = writer.doc.getText('text')
      for (const transaction of trace.txns.slice(start, start + turnLength))
        applyTraceTransaction(text, transaction)
      // State vectors do not cover deletions, so the text is compared as well.
      const expectedVector = Y.encodeStateVector(writer.doc)
      const expectedText = text.toString()
      const readerText = reader.doc.getText('text')
      await until(
        () =>
          Buffer.from(Y.encodeStateVector(reader.doc)).equals(expectedVector) &&
          readerText.toString() === expectedText,
        {
          timeoutMs: 120_000,
          what: `the other client to receive turn ${turn}`,
        },
      )
    }
    for (const client of clients)
      assert.equal(client.doc.getText('text').toString(), trace.endContent)
    for (const client of clients) client.shouldConnect = false

    first.child.kill('SIGTERM')
    assert.equal(await first.exited, 0)
    const second = await spawnServer(t, dataDirectory)
    const fresh = connectProvider(t, second.url, 'paper')
    await waitSynced(fresh)
    assert.equal(fresh.doc.getText('text').toString(), trace.endContent)
  },
)
