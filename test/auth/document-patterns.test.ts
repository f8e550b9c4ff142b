import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileDocumentAccess } from '../../auth/document-patterns.js'

test('a lone * matches every document name, / included', () => {
  const access = compileDocumentAccess({ '*': 'read' })
  for (const name of ['notes', 'team-a/plan', 'a/b/c', '']) assert.equal(access(name), 'read', name)
})

test('team-a/* matches names under team-a/ at any depth, and nothing else', () => {
  const access = compileDocumentAccess({ 'team-a/*': 'write' })
  assert.equal(access('team-a/plan'), 'write')
  assert.equal(access('team-a/secret/keys'), 'write')
  assert.equal(access('team-a/'), 'write', '* matches the empty run too')
  assert.equal(access('team-a'), null)
  assert.equal(access('team-b/plan'), null)
  assert.equal(access('x/team-a/plan'), null, 'a pattern is anchored at both ends')
})

test('the longest matching pattern wins: team-a/secret/* over team-a/*', () => {
  const access = compileDocumentAccess({ 'team-a/*': 'write', 'team-a/secret/*': 'read' })
  assert.equal(access('team-a/plan'), 'write')
  assert.equal(access('team-a/secret/keys'), 'read')
  const reversed = compileDocumentAccess({ 'team-a/secret/*': 'read', 'team-a/*': 'write' })
  assert.equal(reversed('team-a/secret/keys'), 'read', 'the order of the claim does not matter')
})

test('a longer pattern may grant more than a shorter one', () => {
  const access = compileDocumentAccess({ '*': 'read', 'drafts/*': 'write' })
  assert.equal(access('drafts/today'), 'write')
  assert.equal(access('published/today'), 'read')
})

test('between equally long matching patterns read wins, whatever their order', () => {
  for (const docs of [
    { 'a*': 'write', '*b': 'read' },
    { '*b': 'read', 'a*': 'write' },
  ] as const) {
    assert.equal(compileDocumentAccess(docs)('ab'), 'read')
  }
})

test('a pattern without * is an exact document name', () => {
  const access = compileDocumentAccess({ 'team-a/plan': 'write', notes: 'read' })
  assert.equal(access('team-a/plan'), 'write')
  assert.equal(access('notes'), 'read')
  assert.equal(access('team-a/plan/v2'), null)
  assert.equal(access('note'), null)
  assert.equal(access('Notes'), null, 'names are case-sensitive')
})

test('stars in the middle match in order, and other characters are literal', () => {
  const access = compileDocumentAccess({ 'a*b*c': 'write', 'x.y+(z)?': 'read' })
  assert.equal(access('abc'), 'write')
  assert.equal(access('a/1/b/2/c'), 'write')
  assert.equal(access('acb'), null)
  assert.equal(access('abcb'), null, 'the last part must end the name')
  assert.equal(access('aXc'), null)
  assert.equal(access('x.y+(z)?'), 'read')
  assert.equal(access('xzy+(z)'), null, 'regular expression characters are not special')
})

test('a part may not overlap the suffix it comes before', () => {
  const access = compileDocumentAccess({ 'ab*b*ba': 'write' })
  assert.equal(access('abba'), null, 'the middle b would have to reuse a letter of ab or ba')
  assert.equal(access('abbba'), 'write')
})

test('no matching pattern, or no patterns, means no access at all', () => {
  assert.equal(compileDocumentAccess({ 'team-a/*': 'write' })('public/readme'), null)
  assert.equal(compileDocumentAccess({})('anything'), null)
})
