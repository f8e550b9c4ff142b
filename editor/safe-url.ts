// Which URLs a document may hold as a link's address or an image's source. Shared by the editor
// (commands, schema) and the server's content formats; no DOM, nothing of the server.

// What browsers skip inside a URL's scheme (`java\tscript:` runs as `javascript:`).
const ignoredInScheme = /[\s\p{Cc}]+/gu
const scriptScheme = /^(?:javascript|vbscript|file|data):/
const imageDataUrl = /^data:image\/(?:png|gif|jpeg|webp|avif);/

/**
 * Whether `href` may be a link's address: anything but `javascript:`, `vbscript:`, `file:` and
 * `data:` URLs (markdown-it's validateLink refuses the same).
 */
export function isSafeHref(href: unknown): href is string {
  return typeof href === 'string' && !scriptScheme.test(normalized(href))
}

/**
 * Whether `src` may be an image's source: what a link may be, plus `data:image/…` of the raster
 * types markdown-it accepts too (an SVG image could carry a script).
 */
export function isSafeImageSrc(src: unknown): src is string {
  if (typeof src !== 'string' || src.trim() === '') return false
  const url = normalized(src)
  return imageDataUrl.test(url) || !scriptScheme.test(url)
}

function normalized(url: string): string {
  return url.replace(ignoredInScheme, '').toLowerCase()
}
