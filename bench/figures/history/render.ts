// Renders one version of the editor's document against the previous one, changes highlighted,
// with y-prosemirror 1.3.7's own node builder: what ProsemirrorBinding._renderSnapshot does for a
// pair of Y.Snapshots (design A) or a pair of v2 updates (design B), minus the view dispatch.
// Bench only: it reaches into y-prosemirror's sources for a function the package does not export.
import { Schema, type Node } from 'prosemirror-model'
import { isVisible } from 'y-prosemirror'
import * as Y from 'yjs'
import { documentFragmentName } from '../../../content/document-content.js'
import { editorSchema } from '../../../editor/schema.js'

/** The highlight y-prosemirror puts on a changed text: the attributes of the `ychange` mark. */
export interface YChange {
  user: string | null
  type: 'removed' | 'added'
  color: { light: string; dark: string }
}

/** Per-render bookkeeping y-prosemirror's builder fills in (`BindingMetadata`). */
interface BindingMetadata {
  mapping: Map<unknown, unknown>
  isOMark: Map<unknown, boolean>
}

interface SyncPluginInternals {
  createNodeFromYElement(
    element: Y.XmlElement,
    schema: Schema,
    meta: BindingMetadata,
    snapshot: Y.Snapshot,
    prevSnapshot: Y.Snapshot,
    computeYChange: (type: 'removed' | 'added', id: Y.ID) => YChange,
  ): Node | null
}

// The module behind `ySyncPlugin`; the package's exports map hides it, its file does not.
const syncPlugin = (await import(
  new URL('./plugins/sync-plugin.js', import.meta.resolve('y-prosemirror')).href
)) as SyncPluginInternals

/**
 * The editor schema plus the `ychange` mark y-prosemirror puts on added and removed text (as in
 * the yjs-demos prosemirror-versions schema). The editor schema alone has no such mark: then the
 * builder's `schema.mark` throws, and its catch deletes the Y.XmlText it renders from its
 * document.
 */
export const versionSchema = new Schema({
  nodes: editorSchema.spec.nodes,
  marks: editorSchema.spec.marks.addToEnd('ychange', {
    attrs: { user: { default: null }, type: { default: null }, color: { default: null } },
    inclusive: false,
  }),
})

const highlight = { light: '#ecd44433', dark: '#ecd444' }

// _renderSnapshot's own computeYChange reads Y.PermanentUserData, and throws without one; the
// editor keeps none, so here there is no user.
const computeYChange = (type: 'removed' | 'added'): YChange => ({
  user: null,
  type,
  color: highlight,
})

/**
 * The document of `historyDoc` as it was at `snapshot`, with what changed since `prevSnapshot`
 * marked `ychange`: `_renderSnapshot`'s body, inside one transaction of `historyDoc` as there
 * (Y.XmlText.toDelta splits the structs at the snapshots' edges within it).
 */
export function renderVersion(
  historyDoc: Y.Doc,
  snapshot: Y.Snapshot,
  prevSnapshot: Y.Snapshot,
): Node {
  const fragment = historyDoc.getXmlFragment(documentFragmentName)
  let content: Node[] = []
  historyDoc.transact(() => {
    const elements = Y.typeListToArraySnapshot(
      fragment,
      new Y.Snapshot(prevSnapshot.ds, snapshot.sv),
    ) as Y.XmlElement[]
    content = elements
      .filter((element) => {
        const item = element._item!
        return !item.deleted || isVisible(item, snapshot) || isVisible(item, prevSnapshot)
      })
      .map((element) =>
        syncPlugin.createNodeFromYElement(
          element,
          versionSchema,
          { mapping: new Map(), isOMark: new Map() },
          snapshot,
          prevSnapshot,
          computeYChange,
        ),
      )
      .filter((node) => node !== null)
  })
  return versionSchema.topNodeType.create(null, content)
}

/** Design A: a version and its predecessor as encoded Y.Snapshots of the live gc-off document. */
export function renderFromSnapshots(
  liveDoc: Y.Doc,
  encodedSnapshot: Uint8Array,
  encodedPrevSnapshot: Uint8Array,
): Node {
  return renderVersion(
    liveDoc,
    Y.decodeSnapshot(encodedSnapshot),
    Y.decodeSnapshot(encodedPrevSnapshot),
  )
}

/**
 * Design B: a version and its predecessor as full v1 states, converted to v2 as the editor would
 * hand them to `renderSnapshot`, loaded one after the other into a throwaway gc-off document.
 */
export function renderFromStates(state: Uint8Array, prevState: Uint8Array): Node {
  const historyDoc = new Y.Doc({ gc: false })
  Y.applyUpdateV2(historyDoc, Y.convertUpdateFormatV1ToV2(prevState))
  const prevSnapshot = Y.snapshot(historyDoc)
  Y.applyUpdateV2(historyDoc, Y.convertUpdateFormatV1ToV2(state))
  const node = renderVersion(historyDoc, Y.snapshot(historyDoc), prevSnapshot)
  historyDoc.destroy()
  return node
}

/**
 * Design B with a delta chain: version `index` and its predecessor rebuilt by applying the chain's
 * updates (each the changes since the version before) in order to a throwaway gc-off document.
 */
export function renderFromChain(deltas: readonly Uint8Array[], index: number): Node {
  const historyDoc = new Y.Doc({ gc: false })
  for (const delta of deltas.slice(0, index)) Y.applyUpdate(historyDoc, delta)
  const prevSnapshot = Y.snapshot(historyDoc)
  Y.applyUpdate(historyDoc, deltas[index]!)
  const node = renderVersion(historyDoc, Y.snapshot(historyDoc), prevSnapshot)
  historyDoc.destroy()
  return node
}

/** A run of rendered text: unchanged, or highlighted as added or removed. */
export interface Segment {
  kind: 'same' | 'added' | 'removed'
  text: string
}

/** The rendered text as runs, neighbours of one kind joined (paragraph breaks not shown). */
export function segmentsOf(node: Node): Segment[] {
  const segments: Segment[] = []
  node.descendants((child) => {
    if (!child.isText) return true
    const change = child.marks.find((mark) => mark.type.name === 'ychange')
    const kind = change ? (change.attrs as YChange).type : 'same'
    const last = segments.at(-1)
    if (last?.kind === kind) last.text += child.text!
    else segments.push({ kind, text: child.text! })
    return false
  })
  return segments
}

/** The text of the version itself (`before` false) or of its predecessor (`before` true). */
export function textOf(segments: readonly Segment[], before = false): string {
  const hidden = before ? 'added' : 'removed'
  return segments
    .filter((segment) => segment.kind !== hidden)
    .map((segment) => segment.text)
    .join('')
}
