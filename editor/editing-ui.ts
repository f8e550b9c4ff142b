// The editing UI of an editable editor, as plugins: the empty document's hint, the slash menu,
// the link and image popovers, the shortcut help and the toolbar. A read-only editor has none.
import type { Plugin } from 'prosemirror-state'
import { imagePopoverPlugin } from './image-popover.js'
import { linkPopoverPlugin } from './link-popover.js'
import { placeholderPlugin } from './placeholder.js'
import { shortcutHelpPlugin } from './shortcut-help.js'
import { slashMenuPlugin } from './slash-menu.js'
import { toolbarPlugin } from './toolbar.js'

/**
 * The editing UI's plugins; the toolbar renders into `toolbar` (the `role="toolbar"` element),
 * the popovers and the help dialog go right after the document.
 */
export function editingUiPlugins(toolbar: HTMLElement): Plugin[] {
  return [
    placeholderPlugin(),
    slashMenuPlugin(),
    linkPopoverPlugin(),
    imagePopoverPlugin(),
    shortcutHelpPlugin(),
    toolbarPlugin(toolbar),
  ]
}
