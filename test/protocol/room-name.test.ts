import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseRoomPath } from '../../protocol/room-name.js'

test('the room name is the URL-decoded path after the first slash', () => {
  assert.deepEqual(parseRoomPath('/my%20doc'), { ok: true, name: 'my doc' })
  assert.deepEqual(parseRoomPath('/team/notes'), { ok: true, name: 'team/notes' })
  assert.deepEqual(parseRoomPath('/%E2%9C%93'), { ok: true, name: '✓' })
  assert.deepEqual(parseRoomPath(`/${'é'.repeat(255)}`), { ok: true, name: 'é'.repeat(255) })
})

test('refuses empty, too long, control-character and badly encoded names with a reason', () => {
  const refusals: Array<[string, RegExp]> = [
    ['/', /empty/],
    [`/${'x'.repeat(256)}`, /256 characters long; the maximum is 255/],
    ['/a%00b', /control character/],
    ['/a%0Ab', /control character/],
    ['/a%7Fb', /control character/],
    ['/%E2%9C', /malformed percent-encoding/],
    ['/%zz', /malformed percent-encoding/],
    ['no-slash', /must start with/],
  ]
  for (const [path, reason] of refusals) {
    const result = parseRoomPath(path)
    assert.equal(result.ok, false, path)
    if (!result.ok) assert.match(result.reason, reason, path)
  }
})
