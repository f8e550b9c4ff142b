// The hint in an empty document ("Start writing, or type / for commands"): a node decoration on
// its only, empty paragraph, which CSS shows with ::before while the document is editable.
import { type EditorState, Plugin } from 'prosemirror-state'
import { Decoration, DecorationSet } from 'prosemirror-view'
import { editorSchema } from './schema.js'

/** The hint an empty document shows. */
export const placeholderText = 'Start writing, or type / for commands'

function isEmptyDocument(state: EditorState): boolean {
  const { doc } = state
  const first = doc.firstChild
  return (
    doc.childCount === 1 && first?.type === editorSchema.nodes.paragraph && first.content.size === 0
  )
}

/**
 * A plugin that marks the empty paragraph of an empty document `.collab-editor-placeholder`
 * with `data-placeholder` (the hint), and gives the document `aria-placeholder` for screen
 * readers. The decoration goes with the first character typed.
 */
export function placeholderPlugin(text = placeholderText): Plugin {
  return new Plugin({
    props: {
      decorations(state) {
        if (!isEmptyDocument(state)) return null
        const paragraph = Decoration.node(0, state.doc.firstChild?.nodeSize ?? 2, {
          class: 'collab-editor-placeholder',
          'data-placeholder': text,
        })
        return DecorationSet.create(state.doc, [paragraph])
      },
      attributes: (state): Record<string, string> =>
        isEmptyDocument(state) ? { 'aria-placeholder': text } : {},
    },
  })
}
