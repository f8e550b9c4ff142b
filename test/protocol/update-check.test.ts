import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { MalformedUpdateError, checkUpdate } from '../../protocol/update-check.js'
import { applyTraceTransaction, hasTrace, loadTrace } from '../helpers/trace.js'

const requireTrace = process.env.CI === 'true'

/** Every update a document emits while `edit` runs, plus the document's whole state after it. */
function updatesOf(edit: (doc: Y.Doc) => void, clientId = 1234567): Uint8Array[] {
  const doc = new Y.Doc()
  doc.clientID = clientId
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  edit(doc)
  updates.push(Y.encodeStateAsUpdate(doc))
  return updates
}

// Every struct and content type of the update format, every lib0 value type, deletions (the
// delete set, and GC and deleted-content structs in the encoded state) and a subdocument.
const everyKind = (doc: Y.Doc): void => {
  const text = doc.getText('text')
  text.insert(0, 'héllo wörld 👋', { bold: true })
  text.insertEmbed(3, { image: 'https://example.com/a.png' })
  text.format(0, 4, { italic: { nested: [1, 'two', null] } })
  text.delete(1, 5)
  const map = doc.getMap('map')
  map.set('undefined', undefined)
  map.set('null', null)
  map.set('ints', [0, -1, 63, 64, -8191, 2 ** 40, -(2 ** 52)])
  map.set('floats', [0.5, -1.25e-300, 3.4e38])
  map.set('bigint', 2n ** 62n)
  map.set('booleans', [true, false])
  map.set('object', { a: { b: { c: ['deep', { d: new Uint8Array([1, 2]) }] } }, '': '' })
  map.set('bytes', new Uint8Array([0, 255, 7]))
  map.set('nested map', new Y.Map([['k', 'v']]))
  map.set('subdocument', new Y.Doc({ guid: 'sub-1', meta: { title: 'x' } }))
  map.delete('null')
  const array = doc.getArray<unknown>('array')
  array.insert(0, [
    new Uint8Array([9]),
    new Y.Array(),
    new Y.Text('t'),
    'plain',
    new Y.XmlHook('hook'),
  ])
  array.delete(3, 1)
  const fragment = doc.getXmlFragment('prosemirror')
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.setAttribute('align', 'left')
  paragraph.insert(0, [new Y.XmlText('text in a paragraph')])
  fragment.insert(0, [paragraph, new Y.XmlText('loose')])
}

// A legacy ContentJSON item (Yjs no longer writes them, but still reads them), by hand:
// one client with one struct at clock 0, parent the root type "array", then an empty delete set.
function contentJsonUpdate(values: string[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 1) // clients
  encoding.writeVarUint(encoder, 1) // structs
  encoding.writeVarUint(encoder, 42) // client
  encoding.writeVarUint(encoder, 0) // clock
  encoding.writeUint8(encoder, 2) // info: ContentJSON, no origins, no parent sub
  encoding.writeVarUint(encoder, 1) // parent is a root type…
  encoding.writeVarString(encoder, 'array') // …named "array"
  encoding.writeVarUint(encoder, values.length)
  for (const value of values) encoding.writeVarString(encoder, value)
  encoding.writeVarUint(encoder, 0) // delete set: no clients
  return encoding.toUint8Array(encoder)
}

const yjsDecodes = (update: Uint8Array): boolean => {
  try {
    Y.decodeUpdate(update.slice())
    return true
  } catch {
    return false
  }
}

// Yjs decodes a struct that refers to a later clock of its own client, and then throws while it
// integrates it; the check refuses it.
const refersForward = (update: Uint8Array): boolean =>
  Y.decodeUpdate(update.slice()).structs.some((struct) => {
    if (!(struct instanceof Y.Item)) return false
    const { client, clock } = struct.id
    const parent = struct.parent instanceof Y.ID ? struct.parent : null
    return [struct.origin, struct.rightOrigin, parent].some(
      (id) => id !== null && id.client === client && id.clock >= clock,
    )
  })

// Yjs decodes empty structs and deleted ranges of length 0 too, and throws on them later.
const holdsEmpty = (update: Uint8Array): boolean => {
  const { structs, ds } = Y.decodeUpdate(update.slice())
  const emptyRange = [...ds.clients.values()].some((ranges) => ranges.some(({ len }) => len === 0))
  return emptyRange || structs.some((struct) => struct.length === 0)
}

/** What the check should say: Yjs decodes it, and can integrate what it decodes. */
const yjsAccepts = (update: Uint8Array): boolean =>
  yjsDecodes(update) && !refersForward(update) && !holdsEmpty(update)

const weDecode = (update: Uint8Array): boolean => {
  try {
    checkUpdate(update)
    return true
  } catch (error) {
    assert.ok(error instanceof MalformedUpdateError, `unexpected ${String(error)}`)
    return false
  }
}

test('accepts updates with every struct, content and value type', () => {
  const updates = updatesOf(everyKind)
  for (const update of updates) checkUpdate(update)
  // The last one is the whole state, and Yjs reads all of it back.
  const copy = new Y.Doc()
  Y.applyUpdate(copy, updates.at(-1)!)
  assert.deepEqual(Y.encodeStateAsUpdate(copy), updates.at(-1))
  assert.ok(copy.getMap('map').get('subdocument') instanceof Y.Doc)
})

test('accepts skip structs (merged updates with gaps) and legacy JSON content', () => {
  const updates = updatesOf((doc) => {
    const text = doc.getText('text')
    for (const word of ['one ', 'two ', 'three ']) text.insert(text.length, word)
  })
  const withGap = Y.mergeUpdates([updates[0]!, updates[2]!])
  checkUpdate(withGap)
  const json = contentJsonUpdate(['{"a":1}', 'undefined', '[1,2]'])
  assert.ok(yjsDecodes(json))
  checkUpdate(json)
})

test('accepts every update of the real editing trace', { skip: !hasTrace && !requireTrace }, () => {
  const trace = loadTrace()
  const updates = updatesOf((doc) => {
    const text = doc.getText('text')
    for (const transaction of trace.txns.slice(0, 20_000)) applyTraceTransaction(text, transaction)
  })
  for (const update of updates) checkUpdate(update)
})

test('refuses every truncation, naming the offset', () => {
  const update = updatesOf(everyKind).at(-1)!
  for (let length = 0; length < update.length; length++) {
    const truncated = update.slice(0, length)
    assert.equal(yjsDecodes(truncated), false, `Yjs accepts a truncation to ${length} bytes`)
    assert.throws(
      () => checkUpdate(truncated),
      /^MalformedUpdateError: malformed Yjs update at byte \d+: /,
    )
  }
})

test('refuses what Yjs cannot decode: bad content type, type ref, JSON and UTF-8', () => {
  const cases: Array<[Uint8Array, RegExp]> = [
    [contentJsonUpdate(['{not json']), /JSON content is not valid JSON/],
    [
      contentJsonUpdate(['"\u00e9"']).map((byte) => (byte === 0xc3 ? 0xff : byte)),
      /not valid UTF-8/,
    ],
    [contentJsonUpdate(['1']).map((byte, i) => (i === 4 ? 17 : byte)), /unknown struct type 17/],
  ]
  const typeUpdate = updatesOf((doc) => doc.getMap('m').set('k', new Y.Map()))[0]!
  const typeRefAt = typeUpdate.length - 2 // the type ref, then the empty delete set
  assert.equal(typeUpdate[typeRefAt], 1) // YMap
  cases.push([typeUpdate.map((byte, i) => (i === typeRefAt ? 7 : byte)), /unknown shared type 7/])
  for (const [update, message] of cases) {
    assert.equal(yjsDecodes(update), false)
    assert.throws(() => checkUpdate(update), message)
  }
})

test('agrees with Yjs on thousands of randomly corrupted updates', () => {
  let seed = 12345
  const random = (below: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed % below
  }
  let refused = 0
  // Client IDs of one to five varint bytes shift every field that follows them.
  for (const clientId of [1, 300, 70_000, 123_456_789, 2 ** 32 - 1]) {
    const updates = updatesOf(everyKind, clientId)
    for (let round = 0; round < 4000; round++) {
      const update = updates[random(updates.length)]!.slice()
      for (let flips = 1 + random(3); flips > 0; flips--)
        update[random(update.length)] = random(256)
      const ours = weDecode(update)
      assert.equal(ours, yjsAccepts(update), `disagreement on [${update.join(',')}]`)
      if (!ours) refused++
    }
  }
  assert.ok(refused > 4000, `only ${refused} corruptions were refused`)
})

test('refuses a struct that refers to a later clock of its own client', () => {
  const doc = new Y.Doc()
  doc.clientID = 100
  doc.getText('text').insert(0, 'ab')
  const update = Y.encodeStateAsUpdate(doc)
  // One struct "ab" at clock 0 with no origin: give it a right origin at its own clock 5.
  const forward = Uint8Array.from([1, 1, 100, 0, 0x44, 100, 5, 2, 97, 98, 0])
  assert.ok(yjsDecodes(forward), 'Yjs decodes it')
  assert.throws(
    () => checkUpdate(forward),
    /^MalformedUpdateError: malformed Yjs update at byte 4: the struct at clock 0 has a right origin at its own client's clock 5$/,
  )
  checkUpdate(update)
})

test('refuses what Yjs decodes but cannot integrate: empty content, empty deleted ranges', () => {
  const cases: Array<[string, RegExp]> = [
    ['0102890600040104746578740161010104746578740000', /the item at clock 1 has no content/],
    ['0102890600040104746578740161040104746578740000', /the item at clock 1 has no content/],
    ['0102890600040104746578740161080104746578740000', /the item at clock 1 has no content/],
    ['0001e0c200020c0001e0c242', /a deleted range has length 0/],
  ]
  for (const [hex, message] of cases) {
    const update = Buffer.from(hex, 'hex')
    assert.ok(yjsDecodes(update), `Yjs decodes ${hex}`)
    assert.throws(() => Y.applyUpdate(new Y.Doc(), update), `Yjs throws applying ${hex}`)
    assert.throws(() => checkUpdate(update), message)
  }
})

test('refuses integers past 2^53, which Yjs reads but throws on once it writes them back', () => {
  const update = Buffer.from('01018080808080808080010000007e00', 'hex')
  assert.throws(() => checkUpdate(update), /out-of-range integer \(first struct client\)/)
  const found = Buffer.from(
    '01018080 80e0ffc0 ed71f87e 007e0084 81f838e8 07027070 00'.replace(/ /g, ''),
    'hex',
  )
  assert.throws(() => checkUpdate(found), /out-of-range integer/)
})
