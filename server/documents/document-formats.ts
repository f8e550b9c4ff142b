// The content-format seam: how the document API and the CLI turn a document into JSON, HTML,
// Markdown or text and back. The server core knows only Yjs; an implementation (content/, by the
// editor's schema) is given to createCollabServer by its caller.
import type * as Y from 'yjs'

/** A document rendered in one format. */
export interface RenderedDocument {
  /** The Content-Type of `body`, e.g. `text/markdown; charset=utf-8`. */
  readonly contentType: string
  readonly body: string
}

/**
 * Converts between documents and formats other than `yjs` (which the core handles itself).
 * Both directions are pure: neither keeps nor changes the documents it is given.
 */
export interface DocumentFormats {
  /** The format names it reads and writes, e.g. `['json', 'html', 'markdown', 'text']`. */
  readonly names: readonly string[]
  /** `doc` rendered in `format` (one of `names`). `doc` is never changed. */
  render(doc: Y.Doc, format: string): RenderedDocument
  /**
   * A new Y.Doc holding `body` read as `format`, laid out as `render` reads it (for the editor:
   * its `prosemirror` fragment). Throws a FormatError saying what is wrong when `body` does not
   * read as `format`.
   */
  parse(format: string, body: string): Y.Doc
}

/** `body` does not read as its format; the message says why, for a 400 reply. */
export class FormatError extends Error {
  override readonly name = 'FormatError'
}
