// The Redis bus on its own (scale/redis/), in process on the machine's Redis: claims agree on one
// owner, links carry frames both ways in order, and bytes on an inbox that are not the bus's are
// ignored. (Takeovers of a killed owner: test/scale/cluster-failures.test.ts, with processes.)
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { Redis } from 'ioredis'
import { openRedisCluster } from '../../scale/redis/redis-cluster.js'
import type { Cluster, ClusterEvents, Link, LinkHello, LinkPeer } from '../../server/index.js'
import { deferCleanup } from '../helpers/cleanup.js'
import { collectLogs } from '../helpers/collect-logs.js'
import { redisUrl, testPrefix, withRedis } from '../helpers/redis.js'
import { until } from '../helpers/until.js'

async function joinCluster(t: TestContext, prefix: string, instanceId: string): Promise<Cluster> {
  const cluster = await openRedisCluster({
    url: redisUrl,
    prefix,
    instanceId,
    logger: collectLogs().logger,
    tickMs: 100,
  })
  deferCleanup(t, () => cluster.close())
  return cluster
}

/** Events that record what reaches the owner and answer every frame with its reverse. */
function echoingOwner(): ClusterEvents & { frames: string[]; closes: string[] } {
  const frames: string[] = []
  const closes: string[] = []
  return {
    frames,
    closes,
    linkOpened: (_hello, link) => ({
      frame: (frame) => {
        frames.push(Buffer.from(frame).toString())
        link.send(Buffer.from(Buffer.from(frame).toString().split('').reverse().join('')))
      },
      closed: (code, reason) => closes.push(`${code} ${reason}`),
    }),
    ownershipLost: () => undefined,
    revoked: () => undefined,
  }
}

const hello: LinkHello = {
  document: 'doc',
  principal: { userId: 'ann' },
  access: 'write',
  clientAddress: '127.0.0.1',
  acknowledgesStored: false,
}

function recordingPeer(): LinkPeer & { frames: string[]; closes: string[] } {
  const frames: string[] = []
  const closes: string[] = []
  return {
    frames,
    closes,
    frame: (frame) => frames.push(Buffer.from(frame).toString()),
    closed: (code, reason) => closes.push(`${code} ${reason}`),
  }
}

await withRedis('the Redis bus', () => {
  test('claims made at once agree on one owner; the others see it', async (t) => {
    const prefix = testPrefix(t)
    const clusters = await Promise.all(['a', 'b', 'c', 'd'].map((id) => joinCluster(t, prefix, id)))
    const placements = await Promise.all(clusters.map((cluster) => cluster.claim('doc')))
    const owners = placements.filter((placement) => placement.kind === 'here')
    assert.equal(owners.length, 1)
    const owner = clusters[placements.findIndex((placement) => placement.kind === 'here')]!
    for (const placement of placements) {
      if (placement.kind === 'elsewhere') assert.equal(placement.owner, owner.instanceId)
    }
    assert.equal(owner.status().ownedDocuments, 1)
  })

  test('a link carries frames both ways in order, and its close', async (t) => {
    const prefix = testPrefix(t)
    const owner = await joinCluster(t, prefix, 'owner')
    const edge = await joinCluster(t, prefix, 'edge')
    const events = echoingOwner()
    owner.serve(events)
    assert.deepEqual(await owner.claim('doc'), { kind: 'here' })
    const peer = recordingPeer()
    const link = await edge.connect('owner', hello, peer)
    for (const word of ['one', 'two', 'three']) link.send(Buffer.from(word))
    await until(() => peer.frames.length === 3, { what: 'the echoes' })
    assert.deepEqual(events.frames, ['one', 'two', 'three'])
    assert.deepEqual(peer.frames, ['eno', 'owt', 'eerht'])
    assert.equal(owner.status().linksIn, 1)
    assert.equal(edge.status().linksOut, 1)
    link.close(1000, 'done')
    await until(() => events.closes.length === 1, { what: 'the close at the owner' })
    assert.deepEqual(events.closes, ['1000 done'])
    assert.equal(owner.status().linksIn, 0)
  })

  test('a frame an owner sends to many links of one instance is one message on the bus', async (t) => {
    const prefix = testPrefix(t)
    const owner = await joinCluster(t, prefix, 'owner')
    const edge = await joinCluster(t, prefix, 'edge')
    const links: Link[] = []
    owner.serve({
      ...echoingOwner(),
      linkOpened: (_hello, link) => {
        links.push(link)
        return { frame: () => undefined, closed: () => undefined }
      },
    })
    await owner.claim('doc')
    const peers = Array.from({ length: 50 }, () => recordingPeer())
    await Promise.all(peers.map((peer) => edge.connect('owner', hello, peer)))
    await until(() => links.length === 50, { what: 'the owner to hold 50 links' })

    const watcher = new Redis(redisUrl)
    deferCleanup(t, () => watcher.disconnect())
    let messages = 0
    watcher.on('messageBuffer', () => messages++)
    await watcher.subscribe(`${prefix}inbox:edge`)
    // As a broadcast hands it over: views of one framed buffer, one per connection.
    const framed = Buffer.from('..update')
    for (const link of links) link.send(framed.subarray(2))
    await until(() => peers.every((peer) => peer.frames.length === 1), {
      what: 'every link to get the frame',
    })
    assert.ok(peers.every((peer) => peer.frames[0] === 'update'))
    assert.equal(messages, 1)
  })

  test('bytes on an inbox that are not the bus’s change nothing', async (t) => {
    const prefix = testPrefix(t)
    const owner = await joinCluster(t, prefix, 'owner')
    const edge = await joinCluster(t, prefix, 'edge')
    const events = echoingOwner()
    owner.serve(events)
    await owner.claim('doc')
    const intruder = new Redis(redisUrl)
    deferCleanup(t, () => intruder.disconnect())
    for (const junk of ['', 'x', '\x01\xff\xffabc', '\x01\x00\x03a|1not json', '\x09\x00\x00']) {
      await intruder.publish(`${prefix}inbox:owner`, Buffer.from(junk, 'latin1'))
    }
    const peer = recordingPeer()
    const link = await edge.connect('owner', hello, peer)
    link.send(Buffer.from('still'))
    await until(() => peer.frames.length === 1, { what: 'a link after the junk' })
    assert.deepEqual(peer.frames, ['llits'])
    assert.equal(owner.status().linksIn, 1)
  })
})
