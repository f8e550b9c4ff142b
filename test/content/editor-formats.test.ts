import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { exitCode, setBlockType, splitBlock, toggleMark, wrapIn } from 'prosemirror-commands'
import { liftListItem, splitListItem, wrapInList } from 'prosemirror-schema-list'
import { type Command, EditorState, TextSelection, type Transaction } from 'prosemirror-state'
import { prosemirrorJSONToYXmlFragment, updateYFragment } from 'y-prosemirror'
import * as Y from 'yjs'
import {
  documentFragmentName,
  documentJson,
  type ProseMirrorJson,
} from '../../content/document-content.js'
import { editorFormats } from '../../content/editor-formats.js'
import { editorSchema } from '../../editor/schema.js'
import { FormatError } from '../../server/index.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { parsed, roundTrip } from '../helpers/formats.js'
import {
  cell,
  header,
  listItem,
  paragraph,
  table,
  taskItem,
  text,
} from '../helpers/prosemirror-json.js'

const { nodes, marks } = editorSchema

/** `value` as it arrives after JSON.stringify (ProseMirror writes attrs without a prototype). */
const sent = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

/** Asserts that reading `body` as `format` throws a FormatError whose message matches. */
function assertRefused(format: string, body: string, message: RegExp): void {
  assert.throws(
    () => editorFormats.parse(format, body),
    (error) => error instanceof FormatError && message.test(error.message),
    `${format}: ${body.slice(0, 60)}`,
  )
}

const link = (href: string, title: string | null = null) => ({
  type: 'link',
  attrs: { href, title },
})

/** Every node and mark of the schema, with their attributes, as Node.toJSON writes them. */
const everything: ProseMirrorJson = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 1 }, content: [text('Title')] },
    { type: 'heading', attrs: { level: 6 }, content: [text('Small')] },
    paragraph(
      text('plain '),
      text('link', link('https://example.com/', 'Example')),
      text(' '),
      text('both', { type: 'em' }, { type: 'strong' }),
      text(' '),
      text('code', { type: 'code' }),
      text('linked bold', link('/relative'), { type: 'strong' }),
      { type: 'hard_break' },
      text('next line'),
    ),
    {
      type: 'blockquote',
      content: [paragraph(text('quoted')), { type: 'code_block', content: [text('a\n  b')] }],
    },
    {
      type: 'ordered_list',
      attrs: { order: 3 },
      content: [
        {
          type: 'list_item',
          content: [
            paragraph(text('three')),
            { type: 'bullet_list', content: [listItem('nested')] },
          ],
        },
        listItem('four'),
      ],
    },
    paragraph(
      text('struck', { type: 'strike' }),
      text(' '),
      text('underlined', { type: 'underline' }),
      text(' '),
      { type: 'image', attrs: { src: 'https://example.com/cat.png', alt: 'A cat', title: 'Cat' } },
    ),
    { type: 'horizontal_rule' },
    {
      type: 'task_list',
      content: [
        taskItem(true, paragraph(text('done'))),
        taskItem(false, paragraph(text('to do')), {
          type: 'task_list',
          content: [taskItem(false, paragraph(text('nested')))],
        }),
      ],
    },
    table(
      [header(paragraph(text('Name'))), header(paragraph(text('Role')))],
      [cell(paragraph(text('Ann', { type: 'strong' }))), cell({ type: 'paragraph' })],
    ),
    { type: 'paragraph' },
  ],
}

test('names its four formats, each with its content type', (t) => {
  assert.deepEqual(editorFormats.names, ['json', 'html', 'markdown', 'text'])
  const doc = parsed(t, 'text', 'x')
  assert.deepEqual(
    editorFormats.names.map((format) => editorFormats.render(doc, format).contentType),
    [
      'application/json',
      'text/html; charset=utf-8',
      'text/markdown; charset=utf-8',
      'text/plain; charset=utf-8',
    ],
  )
})

test('json round-trips every node, mark and attribute of the schema', (t) => {
  const body = roundTrip(t, 'json', JSON.stringify(everything))
  assert.deepEqual(JSON.parse(body), everything)
  assert.equal(roundTrip(t, 'json', body), body, 'what json renders reads back byte for byte')
})

test('parse writes the editor fragment exactly as y-prosemirror writes it', (t) => {
  const expected = new Y.Doc()
  deferCleanup(t, () => expected.destroy())
  prosemirrorJSONToYXmlFragment(
    editorSchema,
    everything,
    expected.getXmlFragment(documentFragmentName),
  )
  const doc = parsed(t, 'json', JSON.stringify(everything))
  assert.equal(
    doc.getXmlFragment(documentFragmentName).toString(),
    expected.getXmlFragment(documentFragmentName).toString(),
  )
  assert.deepEqual([...doc.share.keys()], [documentFragmentName])
})

test('html round-trips headings, lists, quotes, code blocks, links and marks', (t) => {
  const html =
    '<h1>Title</h1><h6>Small</h6>' +
    '<p><a href="https://example.com/">link</a> <em><strong>both</strong></em> <code>code</code>' +
    '<br>next &amp; &lt;last&gt;</p>' +
    '<blockquote><p>quoted</p><pre><code>a\n  b</code></pre></blockquote>' +
    '<ol start="3"><li><p>three</p><ul><li><p>nested</p></li></ul></li><li><p>four</p></li></ol>' +
    '<p></p>'
  assert.equal(roundTrip(t, 'html', html), html)
})

test('html keeps all of the schema that HTML holds: json of it round-trips through html', (t) => {
  // The link title is the one attribute that comes out in another order (linkedom writes
  // attributes last-set first); the document is the same.
  const html = roundTrip(t, 'json', JSON.stringify(everything), 'html')
  assert.match(html, /<a title="Example" href="https:\/\/example.com\/">link<\/a>/)
  assert.deepEqual(JSON.parse(roundTrip(t, 'html', html, 'json')), everything)
})

test('html reads as the editor reads a paste: lenient, and only what the schema has', (t) => {
  const page =
    '<!DOCTYPE html><html><head><title>Page</title><style>p{}</style></head><body>' +
    '<h2>Head</h2><div><p>In a <b>div</b> with <i>italics</i> and a <span>span</span></div>' +
    '<script>alert(1)</script><img src="x.png" alt="image"><hr><table><tr><td>cell</td></tr>' +
    '</table><video src="v.mp4"></video><ol start="x"><li>no start</ol></body></html>'
  assert.equal(
    roundTrip(t, 'html', page),
    '<h2>Head</h2><p>In a <strong>div</strong> with <em>italics</em> and a span</p>' +
      '<p><img alt="image" src="x.png"></p><hr>' +
      '<table><tbody><tr><td><p>cell</p></td></tr></tbody></table>' +
      '<ol><li><p>no start</p></li></ol>',
  )
  assert.equal(roundTrip(t, 'html', 'just text'), '<p>just text</p>')
})

test('html leaves out script links, when it reads them and when it renders them', (t) => {
  assert.equal(
    roundTrip(t, 'html', '<p><a href=" Java\tScript:alert(1)">bad</a> <a href="/ok">ok</a></p>'),
    '<p>bad <a href="/ok">ok</a></p>',
  )
  const json = JSON.stringify({
    type: 'doc',
    content: [paragraph(text('bad', link('javascript:alert(1)')))],
  })
  assert.equal(roundTrip(t, 'json', json, 'html'), '<p><a>bad</a></p>')
  assert.deepEqual(
    JSON.parse(roundTrip(t, 'json', json)),
    JSON.parse(json),
    'the document itself keeps what it was given',
  )
})

test('markdown round-trips headings, lists, quotes, code blocks, links and marks', (t) => {
  const markdown = [
    '# Title',
    '###### Small',
    '[link](https://example.com/ "Example") ***both*** `code` [**linked bold**](/relative)\\\nnext',
    '> quoted\n>\n> ```\n> a\n>   b\n> ```',
    '3. three\n   * nested\n4. four',
  ].join('\n\n')
  assert.equal(roundTrip(t, 'markdown', markdown), markdown)
})

test('markdown keeps all of the schema but empty paragraphs', (t) => {
  const json = JSON.parse(
    roundTrip(t, 'markdown', roundTrip(t, 'json', JSON.stringify(everything), 'markdown'), 'json'),
  ) as ProseMirrorJson
  assert.deepEqual(json, { ...everything, content: everything.content!.slice(0, -1) })
})

test('markdown images are images with their alt text as plain text; breaks are rules', (t) => {
  assert.equal(
    roundTrip(
      t,
      'markdown',
      'before\n\n![a *big* cat](cat.png "Cat") ![](dog.png)\n\n***\n\nafter',
    ),
    'before\n\n![a big cat](cat.png "Cat") ![](dog.png)\n\n---\n\nafter',
  )
})

test('markdown reads what the schema cannot hold as CommonMark says, without an error', (t) => {
  assert.equal(
    roundTrip(t, 'markdown', '<b>raw html</b>\n\n- # heading in item\n\n```js\ncode\n```'),
    '<b>raw html</b>\n\n* \n\n  # heading in item\n\n```\ncode\n```',
  )
})

test('text round-trips every string: blank lines part paragraphs, single newlines break', (t) => {
  for (const body of [
    'one line',
    'a\nb',
    'a\n\nb',
    'a\n\n\nb',
    'a\n\n\n\nb',
    '\n\n',
    'trailing newline\n',
    '\nleading newline',
    '  spaces \t and tabs  ',
    'markup *stays* <b>text</b>',
  ])
    assert.equal(roundTrip(t, 'text', body), body, JSON.stringify(body))
  assert.equal(roundTrip(t, 'text', 'a\r\nb\r\n\r\nc\rd'), 'a\nb\n\nc\nd')
  assert.equal(
    roundTrip(t, 'text', 'one\ntwo\n\nthree', 'json'),
    JSON.stringify({
      type: 'doc',
      content: [
        paragraph(text('one'), { type: 'hard_break' }, text('two')),
        paragraph(text('three')),
      ],
    }),
  )
})

/** Writes as the editor does: commands on an EditorState, each state put by updateYFragment. */
class EditorSession {
  readonly doc = new Y.Doc()
  state = EditorState.create({ schema: editorSchema })
  // What ySyncPlugin's binding keeps between its writes (its mapping of nodes to Yjs types).
  readonly #binding = { mapping: new Map(), isOMark: new Map() }

  constructor(t: TestContext) {
    deferCleanup(t, () => this.doc.destroy())
  }

  run(...commands: Command[]): this {
    for (const command of commands)
      assert.ok(
        command(this.state, (tr) => this.#apply(tr)),
        'the command applies',
      )
    return this
  }

  type(value: string): this {
    this.#apply(this.state.tr.insertText(value))
    return this
  }

  /** Types `value` and selects it. */
  typeSelected(value: string): this {
    const from = this.state.selection.from
    this.type(value)
    this.#apply(
      this.state.tr.setSelection(TextSelection.create(this.state.doc, from, from + value.length)),
    )
    return this
  }

  /** Moves the cursor to the end of the selection. */
  collapse(): this {
    const { to } = this.state.selection
    this.#apply(this.state.tr.setSelection(TextSelection.create(this.state.doc, to)))
    return this
  }

  #apply(tr: Transaction): void {
    this.state = this.state.apply(tr)
    const fragment = this.doc.getXmlFragment(documentFragmentName)
    this.doc.transact(() => updateYFragment(this.doc, fragment, this.state.doc, this.#binding))
  }
}

test('a document written the way the editor writes it renders in every format', (t) => {
  const hardBreak: Command = (state, dispatch) => {
    dispatch?.(state.tr.replaceSelectionWith(nodes.hard_break.create()))
    return true
  }
  const editor = new EditorSession(t)
    .type('Notes')
    .run(setBlockType(nodes.heading, { level: 1 }), splitBlock)
    .type('Some ')
    .run(toggleMark(marks.strong))
    .type('bold')
    .run(toggleMark(marks.strong))
    .type(', ')
    .typeSelected('em')
    .run(toggleMark(marks.em))
    .collapse()
    .run(toggleMark(marks.em))
    .type(', ')
    .typeSelected('code')
    .run(toggleMark(marks.code))
    .collapse()
    .run(toggleMark(marks.code))
    .type(' and ')
    .typeSelected('a link')
    .run(toggleMark(marks.link, { href: 'https://example.com/' }))
    .collapse()
    .run(hardBreak)
    .type('next line')
    .run(splitBlock)
    .type('First')
    .run(wrapInList(nodes.bullet_list), splitListItem(nodes.list_item))
    .type('Second')
    .run(splitListItem(nodes.list_item))
    .run(liftListItem(nodes.list_item))
    .type('let x = 1')
    .run(setBlockType(nodes.code_block), exitCode)
    .type('Quoted')
    .run(wrapIn(nodes.blockquote))
  const { doc } = editor
  const rendered = (format: string) => editorFormats.render(doc, format).body

  const json: ProseMirrorJson = {
    type: 'doc',
    content: [
      { type: 'heading', attrs: { level: 1 }, content: [text('Notes')] },
      paragraph(
        text('Some '),
        text('bold', { type: 'strong' }),
        text(', '),
        text('em', { type: 'em' }),
        text(', '),
        text('code', { type: 'code' }),
        text(' and '),
        text('a link', link('https://example.com/')),
        { type: 'hard_break' },
        text('next line'),
      ),
      { type: 'bullet_list', content: [listItem('First'), listItem('Second')] },
      { type: 'code_block', content: [text('let x = 1')] },
      { type: 'blockquote', content: [paragraph(text('Quoted'))] },
    ],
  }
  assert.deepEqual(sent(editor.state.doc.toJSON()), json, 'the editor made the document meant')
  assert.deepEqual(JSON.parse(rendered('json')), json)
  assert.equal(
    rendered('html'),
    '<h1>Notes</h1><p>Some <strong>bold</strong>, <em>em</em>, <code>code</code> and ' +
      '<a href="https://example.com/">a link</a><br>next line</p>' +
      '<ul><li><p>First</p></li><li><p>Second</p></li></ul>' +
      '<pre><code>let x = 1</code></pre><blockquote><p>Quoted</p></blockquote>',
  )
  assert.equal(
    rendered('markdown'),
    '# Notes\n\nSome **bold**, *em*, `code` and [a link](https://example.com/)\\\nnext line' +
      '\n\n* First\n* Second\n\n```\nlet x = 1\n```\n\n> Quoted',
  )
  assert.equal(
    rendered('text'),
    'Notes\n\nSome bold, em, code and a link\nnext line\n\nFirst\nSecond\n\nlet x = 1\n\nQuoted',
  )
  for (const format of ['json', 'html', 'markdown'])
    assert.deepEqual(
      sent(documentJson(parsed(t, format, rendered(format)))),
      json,
      `${format} reads back`,
    )
})

test('json that is not a document of the schema is a FormatError saying what is wrong', () => {
  const doc = (...content: unknown[]) => JSON.stringify({ type: 'doc', content })
  const cases: Array<[string, RegExp]> = [
    ['not json', /^Body is not JSON: /],
    ['{"type":"doc",', /^Body is not JSON: /],
    ['  ', /^Body is not JSON: /],
    ['[]', /expected an object/],
    ['null', /expected an object/],
    ['"doc"', /expected an object/],
    [JSON.stringify(paragraph(text('x'))), /its top node is a paragraph/],
    [doc(), /Invalid content for node doc/],
    [JSON.stringify({ type: 'doc' }), /Invalid content for node doc/],
    [doc({ type: 'video' }), /Unknown node type: video/],
    [doc({ type: 'toString' }), /Unknown node type: toString/],
    [doc(null), /Invalid input for Node.fromJSON/],
    [JSON.stringify({ type: 'doc', content: 5 }), /Invalid input for Fragment.fromJSON/],
    [doc(paragraph(text(''))), /Empty text nodes are not allowed/],
    [doc({ type: 'paragraph', content: [{ type: 'text', text: 5 }] }), /Invalid text node/],
    [doc(paragraph(text('x', { type: 'blink' }))), /no mark type blink/],
    [doc({ type: 'paragraph', content: [{ type: 'text', text: 'x', marks: 5 }] }), /mark data/],
    [doc(paragraph(text('x', { type: 'link' }))), /attribute href on type link/],
    [doc({ type: 'heading', attrs: { level: '1' }, content: [text('x')] }), /attribute level/],
    [doc({ type: 'code_block', content: [text('x', { type: 'strong' })] }), /code_block/],
    [doc({ type: 'bullet_list', content: [paragraph(text('x'))] }), /bullet_list/],
    [doc(text('bare')), /Invalid content for node doc/],
  ]
  for (const [body, message] of cases) assertRefused('json', body, message)
})

test('a format it does not have is a FormatError, for parse and render', (t) => {
  assertRefused('xml', '<p/>', /^Unknown format "xml"$/)
  assertRefused('yjs', '', /^Unknown format "yjs"$/)
  assertRefused('toString', 'x', /^Unknown format/)
  const doc = parsed(t, 'text', 'x')
  assert.throws(() => editorFormats.render(doc, 'pdf'), FormatError)
})

test('nesting too deep to read is a FormatError in every format, never a stack overflow', () => {
  const depth = 100_000
  const tooDeep = /^Content is nested more than 100 levels deep$/
  const quotes = (levels: number) =>
    '{"type":"doc","content":[' +
    '{"type":"blockquote","content":['.repeat(levels) +
    '{"type":"paragraph"}' +
    ']}'.repeat(levels) +
    ']}'
  assertRefused('json', quotes(depth), tooDeep)
  const arrays = `{"type":"doc","content":${'['.repeat(depth)}${']'.repeat(depth)}}`
  assertRefused('json', arrays, /not a document of the editor schema/)
  assertRefused('html', '<blockquote>'.repeat(depth) + 'x', tooDeep)
  assertRefused('html', '<b>'.repeat(depth * 3) + 'x', tooDeep)
  assertRefused('html', '<div>'.repeat(depth) + 'x' + '</div>'.repeat(depth), tooDeep)
  assertRefused('markdown', '>'.repeat(depth) + ' x', tooDeep)
  assertRefused('markdown', '- '.repeat(depth) + 'x', tooDeep)
  assertRefused(
    'markdown',
    Array.from({ length: 1000 }, (_, level) => `${'  '.repeat(level)}- x`).join('\n'),
    tooDeep,
  )
})

test('content up to the nesting limit reads, and reads back in every format', (t) => {
  // 98 quotes around a paragraph: its text is 100 levels deep, as deep as may be.
  const atLimit = (levels: number): ProseMirrorJson => {
    let node: ProseMirrorJson = paragraph(text('deep'))
    for (let level = 0; level < levels; level++) node = { type: 'blockquote', content: [node] }
    return { type: 'doc', content: [node] }
  }
  const json = JSON.stringify(atLimit(98))
  for (const format of ['json', 'html', 'markdown']) {
    const body = roundTrip(t, 'json', json, format)
    assert.equal(roundTrip(t, format, body, 'json'), json, format)
  }
  assertRefused('json', JSON.stringify(atLimit(99)), /nested more than 100 levels/)
  assertRefused('html', '<blockquote>'.repeat(99) + '<p>deep</p>', /nested more than 100 levels/)
  assertRefused('markdown', '> '.repeat(99) + 'deep', /nested more than 100 levels/)
})

test('an empty body is an empty document in every format', (t) => {
  const empty: Record<string, string> = {
    json: JSON.stringify({ type: 'doc', content: [{ type: 'paragraph' }] }),
    html: '<p></p>',
    markdown: '',
    text: '',
  }
  for (const format of editorFormats.names) {
    const doc = parsed(t, format, '')
    assert.equal(doc.getXmlFragment(documentFragmentName).length, 0, format)
    assert.equal(editorFormats.render(doc, format).body, empty[format], format)
  }
})

test('parse gives a new document each time, and render changes none', (t) => {
  const first = parsed(t, 'markdown', '# One')
  const second = parsed(t, 'markdown', '# One')
  assert.notEqual(first, second)
  const before = Y.encodeStateAsUpdate(first)
  let updates = 0
  first.on('update', () => updates++)
  for (const format of editorFormats.names) editorFormats.render(first, format)
  assert.equal(updates, 0)
  assert.deepEqual(Y.encodeStateAsUpdate(first), before)
})

test('any body either reads, and then renders and reads back, or is a FormatError', (t) => {
  // Bodies stitched from each format's syntax, from a fixed seed so a failure repeats.
  const pieces = [
    ...['<p>', '</p>', '<b>', '</i>', '<ol start="', '<a href="', '<!--', '-->', '<pre>', '<br>'],
    ...['{"type":', '"doc"', '"text"', ',"content":[', ']', '}', '"marks":[', 'null', '"x"'],
    ...['# ', '> ', '- ', '1. ', '**', '_', '`', '```', '![', '](', ')', '[', '\\', '---'],
    ...['| a |', '| --- |', '|', '~~', '[ ] ', '[x] ', '<u>', '</u>', '<li data-type="taskItem">'],
    ...['\n', '\n\n', ' ', '\t', 'text', '&amp;', '&#0;', '\u0000', '\ud800', '\r\n'],
  ]
  let seed = 42
  const random = (below: number) => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0
    return (seed >>> 8) % below
  }
  for (let round = 0; round < 80; round++) {
    const body = Array.from({ length: 1 + random(30) }, () => pieces[random(pieces.length)]).join(
      '',
    )
    for (const format of editorFormats.names) {
      let doc: Y.Doc
      try {
        doc = parsed(t, format, body)
      } catch (error) {
        assert.ok(
          error instanceof FormatError,
          `${format} ${JSON.stringify(body)}: ${String(error)}`,
        )
        continue
      }
      // What it renders reads again; as json, exactly (HTML collapses runs of white space, and
      // Markdown and text hold less than the schema).
      const json = editorFormats.render(doc, 'json').body
      assert.equal(roundTrip(t, 'json', json), json, `${format} → json`)
      for (const as of editorFormats.names) parsed(t, as, editorFormats.render(doc, as).body)
    }
  }
})
