import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Y from 'yjs'
import { readAwarenessUpdate, writeAwarenessUpdate } from '../../protocol/awareness-codec.js'
import { CloseCode } from '../../protocol/close-codes.js'
import { CollabError } from '../../protocol/collab-error.js'
import {
  readClientMessage,
  writeAwareness,
  writeQueryAwareness,
  writeSyncStep1,
  writeSyncStep2,
  writeSyncUpdate,
} from '../../protocol/message.js'

function assertRefused(frame: Uint8Array, closeCode: number, reason: RegExp): void {
  assert.throws(
    () => readClientMessage(frame),
    (error: unknown) =>
      error instanceof CollabError && error.closeCode === closeCode && reason.test(error.message),
  )
}

test('sync and awareness frames round-trip', () => {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, 'abc')
  const update = Y.encodeStateAsUpdate(doc)
  const stateVector = Y.encodeStateVector(doc)
  assert.deepEqual(readClientMessage(writeSyncStep1(stateVector)), {
    kind: 'syncStep1',
    stateVector,
  })
  assert.deepEqual(readClientMessage(writeSyncStep2(update)), { kind: 'syncStep2', update })
  assert.deepEqual(readClientMessage(writeSyncUpdate(update)), { kind: 'syncUpdate', update })
  const awareness = writeAwarenessUpdate([
    { clientId: 7, clock: 3, stateJson: '{"user":{"name":"Ada"}}' },
  ])
  assert.deepEqual(readClientMessage(writeAwareness(awareness)), {
    kind: 'awareness',
    update: awareness,
  })
  assert.deepEqual(readClientMessage(writeQueryAwareness()), { kind: 'queryAwareness' })
})

test('refuses an empty frame with 1002', () => {
  assertRefused(new Uint8Array(), CloseCode.protocolError, /missing message type/)
})

test('refuses a truncated varint with 1002', () => {
  assertRefused(Uint8Array.of(0x80), CloseCode.protocolError, /truncated or oversized varint/)
  assertRefused(Uint8Array.of(0, 0x80), CloseCode.protocolError, /varint in sync step/)
})

test('refuses a payload longer than the frame with 1002', () => {
  // Declares 10 bytes of update, carries 2; lib0 alone would read past the frame.
  assertRefused(
    Uint8Array.of(0, 2, 10, 1, 2),
    CloseCode.protocolError,
    /declares 10 bytes but 2 remain/,
  )
})

test('refuses an unknown sync step with 1002', () => {
  assertRefused(Uint8Array.of(0, 9, 0), CloseCode.protocolError, /unknown sync step 9/)
})

test('refuses unknown and auth message types with 1003', () => {
  assertRefused(Uint8Array.of(42), CloseCode.unsupportedData, /unknown message type 42/)
  assertRefused(Uint8Array.of(2, 0), CloseCode.unsupportedData, /auth messages/)
})

test('awareness updates decode, and malformed ones are refused with 1007', () => {
  const entries = [
    { clientId: 1, clock: 1, stateJson: '{"cursor":null}' },
    { clientId: 2, clock: 5, stateJson: 'null' },
  ]
  assert.deepEqual(readAwarenessUpdate(writeAwarenessUpdate(entries)), entries)
  const badJson = writeAwarenessUpdate([{ clientId: 1, clock: 1, stateJson: '{nope' }])
  const truncated = writeAwarenessUpdate(entries).subarray(0, 8)
  const trailing = Uint8Array.of(...writeAwarenessUpdate(entries), 0)
  for (const payload of [badJson, truncated, trailing, Uint8Array.of(0x80)]) {
    assert.throws(
      () => readAwarenessUpdate(payload),
      (error: unknown) =>
        error instanceof CollabError && error.closeCode === CloseCode.invalidPayload,
    )
  }
})
