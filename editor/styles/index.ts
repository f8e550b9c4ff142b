// The editor's stylesheet, one CSS file per part of the UI, bundled into the script as text
// (esbuild's `text` loader) so that an editor can adopt it into its own shadow root.
import blocks from './blocks.css'
import cursors from './cursors.css'
import document from './document.css'
import footer from './footer.css'
import frame from './frame.css'
import history from './history.css'
import menus from './menus.css'
import presence from './presence.css'
import toolbar from './toolbar.css'

/** The whole stylesheet's text, in cascade order. */
export const editorStyles = [
  frame,
  toolbar,
  document,
  blocks,
  cursors,
  footer,
  presence,
  history,
  menus,
].join('\n')
