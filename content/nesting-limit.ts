// How deeply parsed content may nest. ProseMirror, y-prosemirror and the renderers recurse per
// level, so each parser bounds its input's nesting before anything recursive reads it.
import type { Node } from 'prosemirror-model'
import { FormatError } from '../server/index.js'

/**
 * The most levels a parsed document may nest: its children are at 1, the texts in them at 2.
 * Far beyond what the editor makes, far below what overflows a stack.
 */
export const maxNestingDepth = 100

/** The FormatError for content nested deeper than `maxNestingDepth`. */
export function nestingError(): FormatError {
  return new FormatError(`Content is nested more than ${maxNestingDepth} levels deep`)
}

/** How deep `node`'s content nests (0 for a leaf); recursive, so only for bounded nodes. */
export function nestingDepthOf(node: Node): number {
  let deepest = 0
  node.forEach((child) => {
    deepest = Math.max(deepest, 1 + nestingDepthOf(child))
  })
  return deepest
}
