// The editor schema as the history preview needs it: y-prosemirror's snapshot rendering marks
// what changed with a `ychange` attribute on nodes and a `ychange` mark on text ({ user, type:
// 'added' | 'removed', color }), which the live schema has no room for. Rendered as `ins` / `del`
// and `data-change` blocks, coloured by author (styles/history.css).
import {
  type DOMOutputSpec,
  type Mark,
  type MarkSpec,
  type Node,
  type NodeSpec,
  Schema,
} from 'prosemirror-model'
import { editorSchema } from '../schema.js'

/** A colour pair as y-prosemirror passes it: `dark` for lines and text, `light` for tints. */
export interface ChangeColor {
  light: string
  dark: string
}

/** What y-prosemirror puts in a `ychange` attribute or mark. */
interface YChange {
  user: string
  type: 'added' | 'removed'
  color: ChangeColor
}

const nodeChange = (node: Node): YChange | null => (node.attrs.ychange as YChange | null) ?? null

function changeAttributes({ user, type, color }: YChange): Record<string, string> {
  return {
    'data-change': type,
    'data-author': user,
    title: `${type === 'added' ? 'Added' : 'Deleted'} by ${user}`,
    style: `--change-color: ${color.dark}; --change-tint: ${color.light}`,
  }
}

function isAttributes(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof window.Node)
  )
}

// Adds the change's attributes to the outer element of a node's DOM spec.
function withChange(spec: DOMOutputSpec, change: YChange | null): DOMOutputSpec {
  if (!change || !Array.isArray(spec)) return spec
  const [tag, ...rest] = spec as readonly [string, ...unknown[]]
  const [first, ...others] = rest
  if (isAttributes(first)) return [tag, { ...first, ...changeAttributes(change) }, ...others]
  return [tag, changeAttributes(change), ...rest]
}

function withChangeAttribute(spec: NodeSpec): NodeSpec {
  const { toDOM } = spec
  return {
    ...spec,
    attrs: { ...spec.attrs, ychange: { default: null } },
    toDOM: toDOM && ((node: Node) => withChange(toDOM(node), nodeChange(node))),
  }
}

const changeMark: MarkSpec = {
  attrs: { user: { default: null }, type: { default: null }, color: { default: null } },
  inclusive: false,
  toDOM: (mark: Mark) => {
    const change = mark.attrs as YChange
    return [change.type === 'removed' ? 'del' : 'ins', changeAttributes(change)]
  },
}

let nodes = editorSchema.spec.nodes
editorSchema.spec.nodes.forEach((name, spec) => {
  if (name !== 'text') nodes = nodes.update(name, withChangeAttribute(spec))
})

/** The editor schema plus `ychange`: for rendering versions, never for editing. */
export const changeSchema = new Schema({
  nodes,
  marks: editorSchema.spec.marks.addToEnd('ychange', changeMark),
})

/** Who made the changes in a document rendered in `changeSchema`, in order of appearance. */
export interface ChangeUsers {
  readonly added: readonly string[]
  readonly removed: readonly string[]
}

/** The users of the additions and of the deletions in `doc`. */
export function listChangeUsers(doc: Node): ChangeUsers {
  const users = { added: new Set<string>(), removed: new Set<string>() }
  const add = ({ user, type }: YChange): void => {
    users[type === 'added' ? 'added' : 'removed'].add(user)
  }
  doc.descendants((node) => {
    const change = nodeChange(node)
    if (change) add(change)
    for (const mark of node.marks) if (mark.type.name === 'ychange') add(mark.attrs as YChange)
  })
  return { added: [...users.added], removed: [...users.removed] }
}
