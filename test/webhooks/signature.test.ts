import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { test } from 'node:test'
import { signatureHeader, verifySignature } from '../../webhooks/signature.js'

const secret = 'whsec-for-tests'
const body = '{"id":"1","event":"document.loaded"}'
const now = 1_760_000_000

test('signs "<t>.<raw body>" with HMAC-SHA256 of the secret, as hex', () => {
  const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex')
  assert.equal(signatureHeader(secret, body, now), `t=${now},v1=${expected}`)
})

test('verifies its own signature, within the tolerance either side of now', () => {
  const header = signatureHeader(secret, body, now)
  assert.equal(verifySignature(secret, body, header, { nowSeconds: now }), true)
  assert.equal(verifySignature(secret, body, header, { nowSeconds: now + 300 }), true)
  assert.equal(verifySignature(secret, body, header, { nowSeconds: now - 300 }), true)
})

test('rejects a tampered body, another secret and a signature older than 5 minutes', () => {
  const header = signatureHeader(secret, body, now)
  const tampered = body.replace('loaded', 'unloaded')
  assert.equal(verifySignature(secret, tampered, header, { nowSeconds: now }), false)
  assert.equal(verifySignature('another secret', body, header, { nowSeconds: now }), false)
  assert.equal(verifySignature(secret, body, header, { nowSeconds: now + 301 }), false)
  assert.equal(verifySignature(secret, body, header, { nowSeconds: now - 301 }), false)
})

test('rejects a timestamp changed after signing, and malformed headers', () => {
  const header = signatureHeader(secret, body, now)
  const moved = header.replace(`t=${now}`, `t=${now + 1}`)
  assert.equal(verifySignature(secret, body, moved, { nowSeconds: now }), false)
  for (const malformed of [
    '',
    'v1=abc',
    `t=${now}`,
    `t=${now},v1=`,
    `t=${now},v1=zz`,
    't=x,v1=00',
  ]) {
    assert.equal(verifySignature(secret, body, malformed, { nowSeconds: now }), false, malformed)
  }
})

test('accepts a header that also carries a v1 of another secret', () => {
  const [time, signature] = signatureHeader(secret, body, now).split(',')
  const rotating = `${time},${signatureHeader('old secret', body, now).split(',')[1]},${signature}`
  assert.equal(verifySignature(secret, body, rotating, { nowSeconds: now }), true)
})
