// The little of a DOM that reading and writing HTML needs, on linkedom: this project compiles
// without the DOM lib (it runs in Node), and linkedom's own types name the DOM lib's Window.
import { parseHTML } from 'linkedom'

/** An element, as far as html.ts uses one. */
export interface HtmlElement {
  innerHTML: string
  appendChild(node: unknown): unknown
}

/** A document: what DOMSerializer creates nodes in, and a body to put them in. */
export interface HtmlDocument {
  readonly body: HtmlElement
}

/** A new, empty HTML document; each call its own, which nothing else holds. */
export function emptyHtmlDocument(): HtmlDocument {
  const window: unknown = parseHTML('<!doctype html><html><head></head><body></body></html>')
  return (window as { document: HtmlDocument }).document
}
