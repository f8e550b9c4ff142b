// Making a document's content equal to another's as a forward change: what a restore and a PUT of
// content write. It never rewinds the CRDT: what differs is deleted and inserted anew, so offline
// clients merge their edits onto the result as usual. Only Yjs; nothing of the editor.
import * as Y from 'yjs'

/** A root type as a Y.Doc holds it, typed or not yet. */
type RootType = NonNullable<ReturnType<Y.Doc['share']['get']>>

/** A root type, typed. */
type TypedRoot = Y.XmlFragment | Y.Text | Y.Array<unknown> | Y.Map<unknown>

/** A child of an XML fragment. */
type XmlChild = ReturnType<Y.XmlFragment['toArray']>[number]

/** How a root type of a document is used, read from the items it holds. */
type RootKind = 'xml' | 'text' | 'array' | 'map' | 'empty'

// A document decoded from an update has its root types untyped until someone asks for them as
// a kind; the items they hold tell which kind they were written as.
function kindOf(type: RootType): RootKind {
  if (type instanceof Y.XmlFragment) return 'xml'
  if (type instanceof Y.Text) return 'text'
  if (type instanceof Y.Array) return 'array'
  if (type instanceof Y.Map) return 'map'
  for (let item = type._start; item; item = item.right) {
    const { content } = item
    if (content instanceof Y.ContentType) {
      return content.type instanceof Y.XmlElement || content.type instanceof Y.XmlText
        ? 'xml'
        : 'array'
    }
    if (content instanceof Y.ContentString || content instanceof Y.ContentFormat) return 'text'
    if (content instanceof Y.ContentAny || content instanceof Y.ContentBinary) return 'array'
    if (content instanceof Y.ContentEmbed) return 'text'
  }
  return type._map.size > 0 ? 'map' : 'empty'
}

function typedRoot(doc: Y.Doc, name: string, kind: RootKind): TypedRoot | null {
  switch (kind) {
    case 'xml':
      return doc.getXmlFragment(name)
    case 'text':
      return doc.getText(name)
    case 'array':
      return doc.getArray(name)
    case 'map':
      return doc.getMap(name)
    case 'empty':
      return null
  }
}

/** Whether no root type of `doc` holds anything (what `If-None-Match: *` calls empty). */
export function isEmptyDocument(doc: Y.Doc): boolean {
  for (const type of doc.share.values()) {
    if (type._length > 0 || [...type._map.values()].some((item) => !item.deleted)) return false
  }
  return true
}

/** A copy of a value of a shared type, for inserting into another document. */
function copyOf(value: unknown): unknown {
  return value instanceof Y.AbstractType ? value.clone() : value
}

// The children kept as they are: the longest common run at the start and at the end, compared
// by their XML (for the editor: paragraph by paragraph), so that a restore which changes one
// paragraph leaves the others, and the cursors in them, alone.
function replaceChildren(target: Y.XmlFragment, source: Y.XmlFragment): void {
  const before = target.toArray()
  const after = source.toArray()
  // Hooks (which y-prosemirror never writes) have no XML to compare: never the same.
  const same = (a: XmlChild, b: XmlChild): boolean =>
    !(a instanceof Y.XmlHook) &&
    !(b instanceof Y.XmlHook) &&
    a.constructor === b.constructor &&
    a.toString() === b.toString()
  let start = 0
  while (start < before.length && start < after.length && same(before[start]!, after[start]!)) {
    start++
  }
  let end = 0
  while (
    end < before.length - start &&
    end < after.length - start &&
    same(before[before.length - 1 - end]!, after[after.length - 1 - end]!)
  ) {
    end++
  }
  const removed = before.length - start - end
  if (removed > 0) target.delete(start, removed)
  const inserted = after
    .slice(start, after.length - end)
    .filter((child): child is Y.XmlElement | Y.XmlText => !(child instanceof Y.XmlHook))
    .map((child) => child.clone())
  if (inserted.length > 0) target.insert(start, inserted)
}

function replaceText(target: Y.Text, source: Y.Text): void {
  const before = target.toString()
  const after = source.toString()
  let start = 0
  while (start < before.length && start < after.length && before[start] === after[start]) start++
  let end = 0
  while (
    end < before.length - start &&
    end < after.length - start &&
    before[before.length - 1 - end] === after[after.length - 1 - end]
  ) {
    end++
  }
  if (before.length - start - end > 0) target.delete(start, before.length - start - end)
  const inserted = after.slice(start, after.length - end)
  if (inserted !== '') target.insert(start, inserted)
}

function replaceArray(target: Y.Array<unknown>, source: Y.Array<unknown>): void {
  if (target.length > 0) target.delete(0, target.length)
  const values = source.toArray().map(copyOf)
  if (values.length > 0) target.insert(0, values)
}

function replaceMap(target: Y.Map<unknown>, source: Y.Map<unknown>): void {
  for (const key of [...target.keys()]) if (!source.has(key)) target.delete(key)
  for (const [key, value] of source.entries()) {
    const current = target.get(key)
    const isSame =
      !(value instanceof Y.AbstractType) &&
      !(current instanceof Y.AbstractType) &&
      JSON.stringify(current) === JSON.stringify(value)
    if (!isSame) target.set(key, copyOf(value))
  }
}

function clear(type: TypedRoot): void {
  if (type instanceof Y.Map) {
    for (const key of [...type.keys()]) type.delete(key)
  } else if (type.length > 0) type.delete(0, type.length)
}

/**
 * Changes `target` so that every root type holds what the same root of `source` holds (roots
 * `source` lacks are emptied), in one transaction with `origin`. `source` is not changed.
 */
export function replaceContent(target: Y.Doc, source: Y.Doc, origin: unknown): void {
  target.transact(() => {
    const names = new Set([...target.share.keys(), ...source.share.keys()])
    for (const name of names) {
      const sourceType = source.share.get(name)
      const kind = sourceType ? kindOf(sourceType) : 'empty'
      const targetRaw = target.share.get(name)
      const targetKind = targetRaw ? kindOf(targetRaw) : 'empty'
      if (kind === 'empty') {
        const emptied = typedRoot(target, name, targetKind)
        if (emptied) clear(emptied)
        continue
      }
      const from = typedRoot(source, name, kind)!
      const to = typedRoot(target, name, targetKind === 'empty' ? kind : targetKind)!
      if (to instanceof Y.XmlFragment && from instanceof Y.XmlFragment) replaceChildren(to, from)
      else if (to instanceof Y.Text && from instanceof Y.Text) replaceText(to, from)
      else if (to instanceof Y.Array && from instanceof Y.Array) replaceArray(to, from)
      else if (to instanceof Y.Map && from instanceof Y.Map) replaceMap(to, from)
      else throw new Error(`the root type ${JSON.stringify(name)} changed kind; cannot restore it`)
    }
  }, origin)
}
