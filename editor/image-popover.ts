// Inserting an image by its address: a small popover at the caret with the image's URL and an
// optional description (alt text). The toolbar's image button and the slash menu open it with
// `openImageForm`; Enter inserts, Escape closes, and either way focus goes back to the document.
import { type Command, Plugin, PluginKey } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import { createAnnouncer } from './announcer.js'
import { insertImage } from './commands.js'
import type { AnchorRect } from './floating.js'
import { createPopoverForm } from './popover-form.js'

const imagePopoverKey = new PluginKey<boolean>('collab-image-popover')

// A valid image address, to ask the command whether an image may go at the selection.
const sampleSource = 'https://example.com/image.png'

/** Opens the image form at the selection; false where no image can go (a code block). */
export const openImageForm: Command = (state, dispatch) => {
  if (!insertImage(sampleSource)(state)) return false
  dispatch?.(state.tr.setMeta(imagePopoverKey, true))
  return true
}

function closeForm(view: EditorView): void {
  if (imagePopoverKey.getState(view.state))
    view.dispatch(view.state.tr.setMeta(imagePopoverKey, false))
}

/** The plugin that shows the image form (`.collab-editor-image-popover`) while it is open. */
export function imagePopoverPlugin(): Plugin {
  return new Plugin<boolean>({
    key: imagePopoverKey,
    state: {
      init: () => false,
      apply: (tr, isOpen) => {
        const meta: unknown = tr.getMeta(imagePopoverKey)
        return typeof meta === 'boolean' ? meta : isOpen
      },
    },
    view(editorView) {
      const parent = editorView.dom.parentElement ?? editorView.dom
      const announcer = createAnnouncer(parent)
      const popover = createPopoverForm({
        parent,
        className: 'collab-editor-image-popover',
        label: 'Insert image',
        fields: [
          {
            name: 'src',
            label: 'Image address',
            placeholder: 'https://…/picture.png',
            inputMode: 'url',
          },
          { name: 'alt', label: 'Description (alt text)', placeholder: 'Description (optional)' },
        ],
        submitLabel: 'Insert',
        submitIcon: 'image',
        onSubmit(values) {
          const src = values.get('src')?.trim() ?? ''
          if (src === '') return 'Type or paste the address of an image'
          const insert = insertImage(src, values.get('alt'))
          if (!insert(editorView.state)) return 'Use an http:// or https:// address of an image'
          insert(editorView.state, editorView.dispatch)
          closeForm(editorView)
          editorView.focus()
          announcer.announce('Image inserted')
          return null
        },
        onCancel() {
          closeForm(editorView)
          editorView.focus()
        },
        onFocusLeave: () => closeForm(editorView),
      })
      const anchor = (): AnchorRect => editorView.coordsAtPos(editorView.state.selection.from)
      const clip = (): DOMRect => parent.getBoundingClientRect()
      const update = (view: EditorView): void => {
        const isOpen = (imagePopoverKey.getState(view.state) ?? false) && view.editable
        if (isOpen && !popover.isOpen) popover.open(new Map(), anchor, clip)
        else if (!isOpen && popover.isOpen) popover.close()
        else if (isOpen) popover.floating.reposition()
      }
      update(editorView)
      return {
        update,
        destroy() {
          popover.destroy()
          announcer.destroy()
        },
      }
    },
  })
}
