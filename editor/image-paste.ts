// Pasting the address of an image (a bare http(s) URL ending in .png, .jpg, .svg…) inserts the
// image instead of the address. Image files are not pasted: there is nowhere to upload them.
import { Plugin } from 'prosemirror-state'
import { insertImage, isImageUrl } from './commands.js'

/** The plugin; where an image cannot go (a code block), the address is pasted as text. */
export function imagePastePlugin(): Plugin {
  return new Plugin({
    props: {
      handlePaste: (view, event) => {
        const text = event.clipboardData?.getData('text/plain').trim() ?? ''
        if (!isImageUrl(text)) return false
        return insertImage(text)(view.state, view.dispatch)
      },
    },
  })
}
