// Webhooks and documents for tests: createWebhooks with short timings and a log the test can
// read, and CollabDocuments over real Y.Docs holding editor content.
import type { TestContext } from 'node:test'
import { prosemirrorJSONToYXmlFragment } from 'y-prosemirror'
import * as Y from 'yjs'
import { documentFragmentName, type ProseMirrorJson } from '../../content/document-content.js'
import { editorSchema } from '../../editor/schema.js'
import type { CollabDocument, Origin } from '../../server/index.js'
import { createWebhooks, type WebhookOptions, type Webhooks } from '../../webhooks/webhooks.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { collectLogs } from '../helpers/collect-logs.js'

/** The origin of the changes tests make: a server-side write. */
export const apiOrigin: Origin = { kind: 'api', principal: null }

/** The secret tests sign with. */
export const testSecret = 'a test secret of some length'

/** Webhooks for `urls` with short timings, closed after the test, and what they logged. */
export function startWebhooks(
  t: TestContext,
  urls: readonly string[],
  options: Partial<Omit<WebhookOptions, 'urls' | 'logger'>> = {},
): { webhooks: Webhooks; logs: Array<Record<string, unknown>> } {
  const { logger, logs } = collectLogs()
  const webhooks = createWebhooks({
    urls,
    secret: testSecret,
    debounceMs: 50,
    maxWaitMs: 500,
    retryBaseMs: 10,
    retryMaxMs: 40,
    attemptTimeoutMs: 2_000,
    ...options,
    logger,
  })
  deferCleanup(t, () => webhooks.close())
  return { webhooks, logs }
}

/** An open document named `name` over a new Y.Doc, with `json` in its editor fragment. */
export function openDocument(
  t: TestContext,
  name: string,
  json?: ProseMirrorJson,
): { document: CollabDocument; doc: Y.Doc } {
  const doc = new Y.Doc()
  deferCleanup(t, () => doc.destroy())
  if (json) {
    prosemirrorJSONToYXmlFragment(editorSchema, json, doc.getXmlFragment(documentFragmentName))
  }
  return { document: { name, read: (read) => read(doc) }, doc }
}
