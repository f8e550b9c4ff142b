// The name of the Y.XmlFragment that holds a document's ProseMirror content: shared by the live
// editor and the history preview, which must read the same fragment of stored versions.

/** Name of the Y.XmlFragment in the Y.Doc that holds the ProseMirror document. */
export const fragmentName = 'prosemirror'
