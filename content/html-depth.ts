// How deeply HTML nests, measured before linkedom builds it: htmlparser2 (linkedom's parser)
// keeps its open elements in an array it shifts per element, so deep markup costs its depth
// squared (a 1 MB body of `<b>`: minutes), and linkedom then recurses through it.
import { Parser } from 'htmlparser2'

/**
 * True when elements in `html` nest more than `maxDepth` deep, as linkedom would build them: its
 * tree is htmlparser2's stack of open elements, which this counts with the same parser,
 * stopping as soon as the depth passes `maxDepth` (so it costs at most one linear pass).
 */
export function nestsDeeperThan(html: string, maxDepth: number): boolean {
  let depth = 0
  let isTooDeep = false
  const parser: Parser = new Parser(
    {
      onopentag() {
        depth++
        if (depth > maxDepth) {
          isTooDeep = true
          parser.pause()
        }
      },
      onclosetag() {
        depth--
      },
    },
    // linkedom's options for HTML (shared/parse-from-string.js).
    { lowerCaseAttributeNames: false, decodeEntities: true, xmlMode: false },
  )
  parser.write(html)
  if (!isTooDeep) parser.end()
  return isTooDeep
}
