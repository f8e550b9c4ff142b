// Reads ProseMirror JSON (Node.toJSON's output) as a document of the editor schema, strictly: a
// node, mark or attribute the schema rejects is an error, not a repair.
import { Node } from 'prosemirror-model'
import { editorSchema } from '../editor/schema.js'
import { FormatError } from '../server/index.js'
import { maxNestingDepth, nestingError } from './nesting-limit.js'

/** `body` as ProseMirror JSON of a whole document; throws a FormatError saying what is wrong. */
export function parseJson(body: string): Node {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch (error) {
    throw new FormatError(`Body is not JSON: ${(error as Error).message}`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new FormatError('JSON is not a ProseMirror document: expected an object')
  // Node.fromJSON and check() recurse per level: measure first, without recursing.
  if (depthOf(json) > maxNestingDepth) throw nestingError()
  let node: Node
  try {
    node = Node.fromJSON(editorSchema, json)
    node.check()
  } catch (error) {
    throw new FormatError(
      `JSON is not a document of the editor schema: ${(error as Error).message}`,
    )
  }
  if (node.type !== editorSchema.topNodeType)
    throw new FormatError(`JSON is not a document: its top node is a ${node.type.name}`)
  return node
}

// The deepest level of nodes under `json` (its children are at 1), following `content` arrays.
function depthOf(json: object): number {
  let deepest = 0
  const pending: Array<{ node: unknown; depth: number }> = [{ node: json, depth: 0 }]
  for (let next = pending.pop(); next; next = pending.pop()) {
    deepest = Math.max(deepest, next.depth)
    if (deepest > maxNestingDepth) break
    const content = (next.node as { content?: unknown } | null)?.content
    if (Array.isArray(content))
      for (const child of content as unknown[]) pending.push({ node: child, depth: next.depth + 1 })
  }
  return deepest
}
