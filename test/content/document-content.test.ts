import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { Node } from 'prosemirror-model'
import { prosemirrorJSONToYXmlFragment } from 'y-prosemirror'
import * as Y from 'yjs'
import {
  documentFragmentName,
  documentJson,
  documentMarkdown,
  documentNode,
  documentText,
  renderContent,
  type ProseMirrorJson,
} from '../../content/document-content.js'
import { editorSchema } from '../../editor/schema.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { listItem, paragraph, text } from '../helpers/prosemirror-json.js'

/** A heading, a paragraph with bold text and a link, and a bullet list. */
const notes: ProseMirrorJson = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 1 }, content: [text('Notes')] },
    paragraph(
      text('Some '),
      text('bold', { type: 'strong' }),
      text(' text and a '),
      text('link', { type: 'link', attrs: { href: 'https://example.com/', title: null } }),
      text('.'),
    ),
    { type: 'bullet_list', content: [listItem('First'), listItem('Second')] },
  ],
}

/** `value` as it arrives after JSON.stringify (ProseMirror writes attrs without a prototype). */
const sent = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

/** A Y.Doc whose editor fragment holds `json`, as y-prosemirror writes it; destroyed after `t`. */
function editorDoc(t: TestContext, json?: ProseMirrorJson): Y.Doc {
  const doc = new Y.Doc()
  deferCleanup(t, () => doc.destroy())
  if (json)
    prosemirrorJSONToYXmlFragment(editorSchema, json, doc.getXmlFragment(documentFragmentName))
  return doc
}

test('json is the ProseMirror JSON the editor wrote, and reads back with the editor schema', (t) => {
  const json = documentJson(editorDoc(t, notes))
  assert.deepEqual(sent(json), notes)
  assert.ok(Node.fromJSON(editorSchema, json).eq(documentNode(editorDoc(t, notes))))
})

test('text separates blocks by a blank line and list items by a line break, without markup', (t) => {
  assert.equal(
    documentText(editorDoc(t, notes)),
    'Notes\n\nSome bold text and a link.\n\nFirst\nSecond',
  )
})

test('markdown renders headings, marks, links and tight lists as CommonMark', (t) => {
  assert.equal(
    documentMarkdown(editorDoc(t, notes)),
    '# Notes\n\nSome **bold** text and a [link](https://example.com/).\n\n* First\n* Second',
  )
})

test('text keeps hard breaks, code blocks, quotes and ordered lists readable', (t) => {
  const doc = editorDoc(t, {
    type: 'doc',
    content: [
      paragraph(text('one line'), { type: 'hard_break' }, text('next line')),
      { type: 'code_block', content: [text('let x = 1')] },
      { type: 'blockquote', content: [paragraph(text('quoted')), paragraph(text('again'))] },
      { type: 'ordered_list', attrs: { order: 1 }, content: [listItem('a'), listItem('b')] },
    ],
  })
  assert.equal(documentText(doc), 'one line\nnext line\n\nlet x = 1\n\nquoted\n\nagain\n\na\nb')
  assert.equal(
    documentMarkdown(doc),
    'one line\\\nnext line\n\n```\nlet x = 1\n```\n\n> quoted\n>\n> again\n\n1. a\n2. b',
  )
})

test('an empty document is one empty paragraph: empty text and markdown', (t) => {
  const doc = editorDoc(t)
  assert.deepEqual(sent(documentJson(doc)), { type: 'doc', content: [{ type: 'paragraph' }] })
  assert.equal(documentText(doc), '')
  assert.equal(documentMarkdown(doc), '')
})

test('renderContent gives each format what its own function gives', (t) => {
  const doc = editorDoc(t, notes)
  assert.equal(renderContent(doc, 'text'), documentText(doc))
  assert.equal(renderContent(doc, 'markdown'), documentMarkdown(doc))
  assert.deepEqual(renderContent(doc, 'json'), documentJson(doc))
})

test('leaves out elements the schema does not know, without changing the document', (t) => {
  const doc = editorDoc(t, notes)
  const fragment = doc.getXmlFragment(documentFragmentName)
  fragment.insert(1, [new Y.XmlElement('video')])
  const before = Y.encodeStateAsUpdate(doc)
  let updates = 0
  doc.on('update', () => updates++)

  assert.deepEqual(sent(documentJson(doc)), notes)
  assert.equal(updates, 0, 'reading the content wrote nothing to the document')
  assert.equal(fragment.length, 4)
  assert.deepEqual(Y.encodeStateAsUpdate(doc), before)
})
