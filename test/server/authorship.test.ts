// Authorship on its own: who the authors of changes are by origin (a token's user, a client's
// announced name, the server, an unauthenticated API caller), how they merge by user or name,
// that every author lists the client ids it wrote with, and that `restore` puts back what `take` returned.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { VersionAuthor } from '../../persistence/store.js'
import { anonymousUserId, type Principal } from '../../server/auth.js'
import type { Origin } from '../../server/events.js'
import { Authorship } from '../../server/rooms/authorship.js'

const principal = (userId: string, name?: string): Principal => ({
  userId,
  ...(name === undefined ? {} : { name }),
  access: () => 'write',
})

const anonymous = principal(anonymousUserId)

/** The origin of a change sent on connection `connectionId` by `who`. */
const connection = (connectionId: number, who: Principal = anonymous): Origin => ({
  kind: 'connection',
  connectionId,
  principal: who,
  access: 'write',
  clientAddress: '127.0.0.1',
})

/** The ranges of an update holding content of these client ids. */
const ranges = (...clientIds: number[]) => clientIds.map((client) => ({ client, start: 0, end: 1 }))

const named = (name: string | null) => () => name

/** `authors` in one order, with their client ids in order, to compare as sets. */
const sorted = (authors: readonly VersionAuthor[]): VersionAuthor[] =>
  authors
    .map((author) => ({ ...author, clientIds: [...author.clientIds].sort((a, b) => a - b) }))
    .sort((a, b) => {
      const [x, y] = [JSON.stringify(a), JSON.stringify(b)]
      return x < y ? -1 : x > y ? 1 : 0
    })

test('an unauthenticated connection’s author is the name its client announced, unverified', () => {
  const authorship = new Authorship()
  let asked = 0
  const announced = () => {
    asked++
    return 'Ann'
  }
  authorship.record(connection(1), ranges(10), announced)
  authorship.record(connection(1), ranges(10, 11), announced)
  assert.equal(asked, 1, 'the name is asked for only while it is unknown')
  assert.deepEqual(authorship.take(), [
    { userId: null, name: 'Ann', isVerified: false, clientIds: [10, 11] },
  ])
})

test('a name announced after the first change still names the author', () => {
  const authorship = new Authorship()
  authorship.record(connection(1), ranges(10), named(null))
  authorship.record(connection(1), ranges(10), named('Ann'))
  assert.deepEqual(authorship.take(), [
    { userId: null, name: 'Ann', isVerified: false, clientIds: [10] },
  ])
})

test('an authenticated connection’s author is its user, verified, whatever its client announces', () => {
  const authorship = new Authorship()
  const announced = () => assert.fail('an authenticated user’s announced name is never asked for')
  authorship.record(connection(1, principal('alice', 'Alice')), ranges(10), announced)
  authorship.record(connection(2, principal('bob')), ranges(20), announced)
  assert.deepEqual(
    sorted(authorship.take()),
    sorted([
      { userId: 'alice', name: 'Alice', isVerified: true, clientIds: [10] },
      { userId: 'bob', name: null, isVerified: true, clientIds: [20] },
    ]),
  )
})

test('authors merge by user when authenticated and by name when not', () => {
  const authorship = new Authorship()
  // Alice in two tabs, and Bob announcing himself as Alice.
  authorship.record(connection(1, principal('alice', 'Alice')), ranges(10), named(null))
  authorship.record(connection(2, principal('alice', 'Alice')), ranges(11), named(null))
  authorship.record(connection(3, principal('bob', 'Alice')), ranges(12), named('Alice'))
  // Two unauthenticated connections announcing the same name, and one announcing Alice.
  authorship.record(connection(4), ranges(20), named('Guest'))
  authorship.record(connection(5), ranges(21), named('Guest'))
  authorship.record(connection(6), ranges(22), named('Alice'))
  assert.deepEqual(
    sorted(authorship.take()),
    sorted([
      { userId: null, name: 'Alice', isVerified: false, clientIds: [22] },
      { userId: null, name: 'Guest', isVerified: false, clientIds: [20, 21] },
      { userId: 'alice', name: 'Alice', isVerified: true, clientIds: [10, 11] },
      { userId: 'bob', name: 'Alice', isVerified: true, clientIds: [12] },
    ]),
  )
})

test('an author writing under another’s client id is listed with it too, never hidden', () => {
  const authorship = new Authorship()
  authorship.record(connection(1, principal('alice')), ranges(10), named(null))
  // Mallory sends content under Alice's client id, and under her own.
  authorship.record(connection(2, principal('mallory')), ranges(10, 30), named(null))
  assert.deepEqual(
    sorted(authorship.take()),
    sorted([
      { userId: 'alice', name: null, isVerified: true, clientIds: [10] },
      { userId: 'mallory', name: null, isVerified: true, clientIds: [10, 30] },
    ]),
  )
})

test('a change that only deletes still names its author', () => {
  const authorship = new Authorship()
  authorship.record(connection(1, principal('alice')), [], named(null))
  assert.deepEqual(authorship.take(), [
    { userId: 'alice', name: null, isVerified: true, clientIds: [] },
  ])
})

test('API changes are their principal’s, the server’s, or an unverified caller’s; store and bus changes nobody’s', () => {
  const authorship = new Authorship()
  authorship.record({ kind: 'store' }, ranges(1), named('x'))
  authorship.record({ kind: 'bus', instanceId: 'peer' }, ranges(2), named('x'))
  assert.equal(authorship.hasAuthors, false)
  assert.deepEqual(authorship.take(), [])

  authorship.record({ kind: 'api', principal: principal('alice', 'Alice') }, ranges(10), named('x'))
  authorship.record({ kind: 'api', principal: null }, ranges(20), named('x'))
  authorship.record({ kind: 'api', principal: anonymous }, ranges(30), named('x'))
  assert.equal(authorship.hasAuthors, true)
  assert.deepEqual(
    sorted(authorship.take()),
    sorted([
      { userId: null, name: null, isVerified: false, clientIds: [30] },
      { userId: null, name: 'server', isVerified: true, clientIds: [20] },
      { userId: 'alice', name: 'Alice', isVerified: true, clientIds: [10] },
    ]),
  )
})

test('take forgets what it returned', () => {
  const authorship = new Authorship()
  authorship.record(connection(1), ranges(10), named('Ann'))
  assert.equal(authorship.take().length, 1)
  assert.equal(authorship.hasAuthors, false)
  assert.deepEqual(authorship.take(), [])
  // After a take the same client id may go to another author: versions are counted apart.
  authorship.record(connection(2, principal('bob')), ranges(10), named(null))
  assert.deepEqual(authorship.take(), [
    { userId: 'bob', name: null, isVerified: true, clientIds: [10] },
  ])
})

test('restore puts back the authors of a version that could not be saved', () => {
  const authorship = new Authorship()
  authorship.record(connection(1, principal('alice', 'Alice')), ranges(10), named(null))
  authorship.record(connection(2), ranges(20), named('Guest'))
  const taken = authorship.take()
  authorship.restore(taken)
  assert.equal(authorship.hasAuthors, true)
  assert.deepEqual(sorted(authorship.take()), sorted(taken))
})

test('after a restore, new changes of the same authors merge with theirs', () => {
  const authorship = new Authorship()
  authorship.record(connection(1, principal('alice', 'Alice')), ranges(10), named(null))
  authorship.record(connection(2), ranges(20), named('Guest'))
  const taken = authorship.take()
  // Changes made while the version was being saved.
  authorship.record(connection(1, principal('alice', 'Alice')), ranges(11), named(null))
  authorship.record(connection(2), ranges(21), named('Guest'))
  authorship.restore(taken)
  assert.deepEqual(
    sorted(authorship.take()),
    sorted([
      { userId: null, name: 'Guest', isVerified: false, clientIds: [20, 21] },
      { userId: 'alice', name: 'Alice', isVerified: true, clientIds: [10, 11] },
    ]),
  )
})

test('a restore keeps the authors that wrote meanwhile beside the restored ones', () => {
  const authorship = new Authorship()
  authorship.record(connection(1, principal('alice')), ranges(10), named(null))
  const taken = authorship.take()
  authorship.record(connection(2, principal('bob')), ranges(10), named(null))
  authorship.restore(taken)
  assert.deepEqual(
    sorted(authorship.take()),
    sorted([
      { userId: 'alice', name: null, isVerified: true, clientIds: [10] },
      { userId: 'bob', name: null, isVerified: true, clientIds: [10] },
    ]),
  )
})
