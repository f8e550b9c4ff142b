// The editor's content formats in tests: a body read into a document destroyed after the test,
// and read then rendered again.
import type { TestContext } from 'node:test'
import type * as Y from 'yjs'
import { editorFormats } from '../../content/editor-formats.js'
import { deferCleanup } from './cleanup.js'

/** `body` read as `format` by the editor's formats; the document is destroyed after `t`. */
export function parsed(t: TestContext, format: string, body: string): Y.Doc {
  const doc = editorFormats.parse(format, body)
  deferCleanup(t, () => doc.destroy())
  return doc
}

/** `body` read as `format` and rendered in `as` (by default the same format). */
export function roundTrip(t: TestContext, format: string, body: string, as = format): string {
  return editorFormats.render(parsed(t, format, body), as).body
}
