// The blocks and marks beyond CommonMark (task lists, tables, horizontal rules, images,
// strikethrough, underline) in each format of the document API, both ways, hostile input too.
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import * as Y from 'yjs'
import {
  documentFragmentName,
  documentJson,
  renderContent,
  type ProseMirrorJson,
} from '../../content/document-content.js'
import { editorFormats } from '../../content/editor-formats.js'
import { FormatError } from '../../server/index.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { roundTrip } from '../helpers/formats.js'
import { cell, header, paragraph, table, taskItem, text } from '../helpers/prosemirror-json.js'

/** The document `body` reads as, in ProseMirror JSON. */
function jsonOf(t: TestContext, format: string, body: string): ProseMirrorJson {
  return JSON.parse(roundTrip(t, format, body, 'json')) as ProseMirrorJson
}

const doc = (...content: ProseMirrorJson[]): ProseMirrorJson => ({ type: 'doc', content })
const image = (src: string, alt: string | null = null, title: string | null = null) => ({
  type: 'image',
  attrs: { src, alt, title },
})
const spanning = (colspan: number, ...content: ProseMirrorJson[]): ProseMirrorJson => ({
  ...cell(...content),
  attrs: { colspan, rowspan: 1, colwidth: null },
})

test('markdown writes tables as GFM: a header row, cells of inline Markdown, pipes escaped', (t) => {
  const markdown = [
    '| Name | Role |',
    '| --- | --- |',
    '| **Ann** | `a \\| b` and a \\| pipe |',
    '| [Bob](https://example.com/) |  |',
  ].join('\n')
  assert.equal(roundTrip(t, 'markdown', markdown), markdown)
  assert.deepEqual(
    jsonOf(t, 'markdown', markdown),
    doc(
      table(
        [header(paragraph(text('Name'))), header(paragraph(text('Role')))],
        [
          cell(paragraph(text('Ann', { type: 'strong' }))),
          cell(paragraph(text('a | b', { type: 'code' }), text(' and a | pipe'))),
        ],
        [
          cell(
            paragraph(
              text('Bob', { type: 'link', attrs: { href: 'https://example.com/', title: null } }),
            ),
          ),
          cell({ type: 'paragraph' }),
        ],
      ),
    ),
  )
  // Alignment is not kept; short rows are filled, as GFM says.
  assert.equal(
    roundTrip(t, 'markdown', 'a | b\n:-- | --:\n1'),
    '| a | b |\n| --- | --- |\n| 1 |  |',
  )
})

test('markdown joins the blocks of a cell with <br>, and reads <br> in a cell as a break', (t) => {
  const json = doc(
    table(
      [header(paragraph(text('Wide'))), header(paragraph(text('x')))],
      [
        cell(paragraph(text('one')), {
          type: 'bullet_list',
          content: [{ type: 'list_item', content: [paragraph(text('two'))] }],
        }),
        cell(paragraph(text('a'), { type: 'hard_break' }, text('b'))),
      ],
      [spanning(2, paragraph(text('spans two')))],
    ),
  )
  const markdown = roundTrip(t, 'json', JSON.stringify(json), 'markdown')
  assert.equal(markdown, '| Wide | x |\n| --- | --- |\n| one<br>two | a<br>b |\n| spans two |  |')
  assert.deepEqual(
    jsonOf(t, 'markdown', markdown),
    doc(
      table(
        [header(paragraph(text('Wide'))), header(paragraph(text('x')))],
        [
          cell(paragraph(text('one'), { type: 'hard_break' }, text('two'))),
          cell(paragraph(text('a'), { type: 'hard_break' }, text('b'))),
        ],
        [cell(paragraph(text('spans two'))), cell({ type: 'paragraph' })],
      ),
    ),
  )
  // Outside a table, and escaped in one, <br> is text.
  assert.deepEqual(jsonOf(t, 'markdown', 'a<br>b'), doc(paragraph(text('a<br>b'))))
  assert.equal(
    roundTrip(t, 'json', JSON.stringify(doc(table([header(paragraph(text('<br>')))]))), 'markdown'),
    '| \\<br> |\n| --- |',
  )
})

test('markdown task lists: - [ ] and - [x], nested, and lists of both kinds split in runs', (t) => {
  const markdown = '- [ ] to do\n- [x] done\n  - [ ] nested\n\n* plain'
  assert.equal(roundTrip(t, 'markdown', markdown), markdown)
  assert.deepEqual(
    jsonOf(t, 'markdown', markdown),
    doc(
      {
        type: 'task_list',
        content: [
          taskItem(false, paragraph(text('to do'))),
          taskItem(true, paragraph(text('done')), {
            type: 'task_list',
            content: [taskItem(false, paragraph(text('nested')))],
          }),
        ],
      },
      {
        type: 'bullet_list',
        content: [{ type: 'list_item', content: [paragraph(text('plain'))] }],
      },
    ),
  )
  // One list of both kinds: runs of each, in order. [X] is checked too.
  assert.equal(roundTrip(t, 'markdown', '- [X] a\n- b\n- [ ] c'), '- [x] a\n\n* b\n\n- [ ] c')
  // What is not a checkbox stays text: escaped, without a space after it, in ordered lists.
  assert.equal(
    roundTrip(t, 'markdown', '- \\[ ] escaped\n- [ ]tight\n\n1. [ ] ordered'),
    '* \\[ \\] escaped\n* \\[ \\]tight\n\n1. \\[ \\] ordered',
  )
})

test('markdown strikethrough is ~~, underline <u>…</u>; tags without a pair are text', (t) => {
  const markdown = '~~struck~~ <u>underlined</u> ~~<u>both</u>~~'
  assert.equal(roundTrip(t, 'markdown', markdown), markdown)
  assert.deepEqual(
    jsonOf(t, 'markdown', markdown),
    doc(
      paragraph(
        text('struck', { type: 'strike' }),
        text(' '),
        text('underlined', { type: 'underline' }),
        text(' '),
        text('both', { type: 'strike' }, { type: 'underline' }),
      ),
    ),
  )
  assert.deepEqual(
    jsonOf(t, 'markdown', '</u>a<u>b \\<u>c</u> <u>d'),
    doc(paragraph(text('</u>a'), text('b <u>c', { type: 'underline' }), text(' <u>d'))),
  )
  // Text that looks like a tag is written escaped, and reads back as the same text.
  const literal = JSON.stringify(doc(paragraph(text('<u>x</u> <br>'))))
  assert.equal(roundTrip(t, 'json', literal, 'markdown'), '\\<u>x\\</u> \\<br>')
  assert.equal(roundTrip(t, 'markdown', roundTrip(t, 'json', literal, 'markdown'), 'json'), literal)
})

test('markdown images and rules read and write as CommonMark has them', (t) => {
  const markdown = '![A cat](https://example.com/cat.png "The cat") ![](dog.png)\n\n---\n\nend'
  assert.equal(roundTrip(t, 'markdown', markdown), markdown)
  assert.deepEqual(
    jsonOf(t, 'markdown', markdown),
    doc(
      paragraph(
        image('https://example.com/cat.png', 'A cat', 'The cat'),
        text(' '),
        image('dog.png'),
      ),
      { type: 'horizontal_rule' },
      paragraph(text('end')),
    ),
  )
  // A source with spaces or brackets is written in <…>.
  const spaced = JSON.stringify(doc(paragraph(image('my cat (1).png', 'cat'))))
  assert.equal(roundTrip(t, 'json', spaced, 'markdown'), '![cat](<my cat (1).png>)')
  assert.equal(
    roundTrip(t, 'markdown', '![cat](<my cat (1).png>)', 'json'),
    spaced.replace('my cat (1).png', 'my%20cat%20(1).png'),
  )
})

test('an image with a script source is refused in every format, as script links are', (t) => {
  // Markdown: markdown-it refuses the URL; the image stays text.
  assert.deepEqual(
    jsonOf(t, 'markdown', '![x](javascript:alert(1)) ![y](data:image/svg+xml,svg)'),
    doc(paragraph(text('![x](javascript:alert(1)) ![y](data:image/svg+xml,svg)'))),
  )
  assert.deepEqual(
    jsonOf(t, 'markdown', '![dot](data:image/png;base64,iVBORw0KGgo=)'),
    doc(paragraph(image('data:image/png;base64,iVBORw0KGgo=', 'dot'))),
  )
  // HTML: the image is left out, as the editor leaves it out of a paste.
  assert.equal(
    roundTrip(
      t,
      'html',
      '<p>a<img src=" Java\tScript:alert(1)">b<img src="data:text/html,x"><img src="ok.png"></p>',
    ),
    '<p>ab<img src="ok.png"></p>',
  )
  // JSON: an error, as for any attribute the schema refuses.
  for (const src of ['javascript:alert(1)', 'VBScript:x', 'data:image/svg+xml,<svg/>', ''])
    assert.throws(
      () => editorFormats.parse('json', JSON.stringify(doc(paragraph(image(src))))),
      (error) => error instanceof FormatError && /safe source/.test(error.message),
      src,
    )
})

test('a script image a peer wrote into the document is left out of every rendering', (t) => {
  const ydoc = new Y.Doc()
  deferCleanup(t, () => ydoc.destroy())
  const paragraphElement = new Y.XmlElement('paragraph')
  const hostile = new Y.XmlElement('image')
  hostile.setAttribute('src', 'javascript:alert(1)')
  const fine = new Y.XmlElement('paragraph')
  fine.insert(0, [new Y.XmlText('kept')])
  paragraphElement.insert(0, [hostile])
  ydoc.getXmlFragment(documentFragmentName).insert(0, [paragraphElement, fine])
  assert.deepEqual(documentJson(ydoc), doc({ type: 'paragraph' }, paragraph(text('kept'))))
  assert.equal(renderContent(ydoc, 'text'), '\n\nkept')
  assert.equal(editorFormats.render(ydoc, 'html').body, '<p></p><p>kept</p>')
})

test('html round-trips task lists, tables with header cells and spans, rules, images, marks', (t) => {
  const html =
    '<ul data-type="taskList">' +
    '<li data-checked="true" data-type="taskItem">' +
    '<input checked aria-label="Done" disabled type="checkbox"><div><p>done</p></div></li>' +
    '<li data-checked="false" data-type="taskItem">' +
    '<input aria-label="Done" disabled type="checkbox"><div><p>to do</p></div></li></ul>' +
    '<table><tbody><tr><th colspan="2"><p>Head</p></th></tr>' +
    '<tr><td><p>a</p></td><td><p>b</p><p>c</p></td></tr></tbody></table>' +
    '<hr><p><s>struck</s> <u>underlined</u> <img title="T" alt="A" src="a.png"></p>'
  assert.equal(roundTrip(t, 'html', html), html)
  assert.deepEqual(
    jsonOf(t, 'html', html),
    doc(
      {
        type: 'task_list',
        content: [
          taskItem(true, paragraph(text('done'))),
          taskItem(false, paragraph(text('to do'))),
        ],
      },
      {
        ...table(
          [
            {
              ...header(paragraph(text('Head'))),
              attrs: { colspan: 2, rowspan: 1, colwidth: null },
            },
          ],
          [cell(paragraph(text('a'))), cell(paragraph(text('b')), paragraph(text('c')))],
        ),
      },
      { type: 'horizontal_rule' },
      paragraph(
        text('struck', { type: 'strike' }),
        text(' '),
        text('underlined', { type: 'underline' }),
        text(' '),
        image('a.png', 'A', 'T'),
      ),
    ),
  )
})

test('html reads other spellings: del, strike, text-decoration, GitHub task lists', (t) => {
  assert.equal(
    roundTrip(
      t,
      'html',
      '<p><del>a</del><strike>b</strike><span style="text-decoration: line-through">c</span>' +
        '<span style="text-decoration:underline">d</span><ins>e</ins></p>' +
        '<ul class="contains-task-list">' +
        '<li class="task-list-item"><input type="checkbox" checked disabled> shipped</li>' +
        '<li class="task-list-item"><input type="checkbox" disabled> next</li></ul>',
      'markdown',
    ),
    '~~abc~~<u>d</u>e\n\n- [x] shipped\n- [ ] next',
  )
})

test('json refuses task items and tables the schema does not hold', () => {
  const refused: Array<[ProseMirrorJson, RegExp]> = [
    [
      doc({
        type: 'task_list',
        content: [{ ...taskItem(true, paragraph()), attrs: { checked: 'yes' } }],
      }),
      /attribute checked/,
    ],
    [doc({ type: 'task_list', content: [paragraph(text('x'))] }), /task_list/],
    [doc({ type: 'bullet_list', content: [taskItem(false, paragraph())] }), /bullet_list/],
    [doc(cell(paragraph())), /Invalid content for node doc/],
    [doc(table([cell(text('bare'))])), /table_cell/],
  ]
  for (const [json, message] of refused)
    assert.throws(
      () => editorFormats.parse('json', JSON.stringify(json)),
      (error) => error instanceof FormatError && message.test(error.message),
      JSON.stringify(json),
    )
})

test('text shows task items with [ ] or [x], a row per line with tabs, rules and alt text', (t) => {
  const json = doc(
    {
      type: 'task_list',
      content: [taskItem(true, paragraph(text('done'))), taskItem(false, paragraph(text('next')))],
    },
    table(
      [header(paragraph(text('Name'))), header(paragraph(text('Role')))],
      [cell(paragraph(text('Ann'))), cell(paragraph(text('Design')), paragraph(text('and code')))],
    ),
    { type: 'horizontal_rule' },
    paragraph(
      text('See '),
      image('cat.png', 'the cat'),
      text(' '),
      text('now', { type: 'strike' }),
    ),
  )
  assert.equal(
    roundTrip(t, 'json', JSON.stringify(json), 'text'),
    '[x] done\n[ ] next\n\nName\tRole\nAnn\tDesign and code\n\n---\n\nSee the cat now',
  )
})
