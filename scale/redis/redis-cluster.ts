// The cluster bus on Redis (server/cluster.ts; README "Cluster"): which instance owns each open
// document (a key naming it, valid while that instance is alive), each instance's liveness, and
// the links that carry forwarded connections, as pub/sub messages to each instance's inbox.
// Redis holds nothing durable: after it restarts empty, owners claim their documents again, and
// PostgreSQL fences any writer that lost its document in the meantime.
import { Redis } from 'ioredis'
import { CloseCode } from '../../protocol/close-codes.js'
import type {
  Cluster,
  ClusterStatus,
  Link,
  LinkHello,
  LinkPeer,
  ClusterEvents,
  Placement,
} from '../../server/index.js'
import { ClusterUnavailableError, OwnerGoneError } from '../../server/index.js'
import type { Logger } from '../../server/logger.js'
import {
  type Envelope,
  EnvelopeKind,
  decodeEnvelope,
  encodeEnvelope,
  linkOpener,
} from './envelope.js'
import { redactRedisUrl } from './redis-url.js'
import { closePayload, parseClose, parseHello, parseRevocation } from './payloads.js'
import { type OutgoingMessage, groupedForPublish, linkIdSeparator } from './publish-groups.js'
import { claimScript, releaseScript } from './scripts.js'

/** Another live instance already has this instance's id: their inboxes would be one. */
export class InstanceIdTakenError extends Error {
  override readonly name = 'InstanceIdTakenError'
}

/** Options of the Redis bus. */
export interface RedisClusterOptions {
  /** redis://host:port (rediss:// for TLS; a password in the URL is never logged). */
  readonly url: string
  /** Prefix of every key and channel (default `collab:`), so that clusters can share a Redis. */
  readonly prefix: string
  /** This instance's id, unique in the cluster (default: host name and pid). */
  readonly instanceId: string
  readonly logger: Logger
  /** How often liveness is written and peers are checked (default 1 s). */
  readonly tickMs?: number
  /** How long an instance counts as alive after its last liveness write (default 3 s). */
  readonly livenessTtlMs?: number
  /** How long connecting may take at the start (default 5 s). */
  readonly connectTimeoutMs?: number
}

/** A link this instance holds: to an owner (out) or from an instance that forwards (in). */
interface LinkEnd {
  readonly id: string
  /** The instance at the other end. */
  readonly peerInstance: string
  peer: LinkPeer | undefined
  bufferedBytes: number
}

const busLostReason = 'the cluster bus was lost; reconnect'
const ownerGoneReason = 'the instance serving this document stopped; reconnect'
/** Owner keys read in one MGET by the audit of the documents owned here. */
const auditChunk = 500

/**
 * Connects to Redis and joins the cluster as `instanceId`. Rejects with a ClusterUnavailableError
 * naming the server (without its password) when Redis cannot be reached within the connect
 * timeout, and with an InstanceIdTakenError when a running instance has the same id.
 */
export async function openRedisCluster(options: RedisClusterOptions): Promise<Cluster> {
  const cluster = new RedisCluster(options)
  await cluster.start()
  return cluster
}

class RedisCluster implements Cluster {
  readonly instanceId: string
  readonly #prefix: string
  readonly #inbox: string
  /** Where announcements to every instance go (revocations). */
  readonly #broadcast: string
  readonly #location: string
  readonly #logger: Logger
  readonly #commands: Redis
  readonly #subscriber: Redis
  readonly #tickMs: number
  readonly #livenessTtlMs: number
  readonly #owned = new Set<string>()
  readonly #links = new Map<string, LinkEnd>()
  #events: ClusterEvents | undefined
  /** Messages of this turn, by the instance they go to. */
  readonly #outboxes = new Map<string, OutgoingMessage<LinkEnd>[]>()
  #isFlushScheduled = false
  #isUp = false
  #busLatencyMs: number | null = null
  #takeovers = 0
  #lastLinkNumber = 0
  #timer: NodeJS.Timeout | undefined
  #isClosed = false
  /** The last error a connection reported: says why, where a rejection says only that it closed. */
  #lastError: Error | undefined

  constructor(options: RedisClusterOptions) {
    this.instanceId = options.instanceId
    this.#prefix = options.prefix
    this.#inbox = `${options.prefix}inbox:${options.instanceId}`
    this.#broadcast = `${options.prefix}broadcast`
    this.#location = redactRedisUrl(options.url)
    this.#logger = options.logger.child({ component: 'cluster', instanceId: options.instanceId })
    this.#tickMs = options.tickMs ?? 1_000
    this.#livenessTtlMs = options.livenessTtlMs ?? 3_000
    // No offline queue: while Redis is away a call fails at once instead of piling up in memory.
    const connection = {
      // CLIENT LIST names the instance.
      connectionName: `${options.prefix}${options.instanceId}`,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
    }
    this.#commands = new Redis(options.url, connection)
    this.#subscriber = new Redis(options.url, connection)
    for (const redis of [this.#commands, this.#subscriber]) {
      redis.on('error', (error: Error) => {
        this.#lastError = error
        this.#problem(error)
      })
      redis.on('close', () => this.#lost())
      redis.on('ready', () => void this.#back())
    }
    this.#subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) =>
      this.#received(message),
    )
  }

  async start(): Promise<void> {
    let listening: number
    try {
      await Promise.all([this.#commands.connect(), this.#subscriber.connect()])
      const [, count] = (await this.#commands.pubsub('NUMSUB', this.#inbox)) as [string, number]
      listening = count
      if (listening === 0) {
        await this.#subscriber.subscribe(this.#inbox, this.#broadcast)
        await this.#beat()
      }
    } catch (error) {
      this.#commands.disconnect()
      this.#subscriber.disconnect()
      throw new ClusterUnavailableError(
        `Redis (${this.#location}) cannot be reached: ${(this.#lastError ?? (error as Error)).message}`,
        { cause: error },
      )
    }
    if (listening > 0) {
      this.#commands.disconnect()
      this.#subscriber.disconnect()
      throw new InstanceIdTakenError(
        `another running instance uses the id ${this.instanceId} on this Redis (prefix ${this.#prefix}); give each instance its own --instance-id`,
      )
    }
    this.#isUp = true
    this.#timer = setInterval(() => void this.#tick(), this.#tickMs)
    this.#timer.unref()
    this.#logger.info({ redis: this.#location }, 'joined the cluster')
  }

  async claim(document: string): Promise<Placement> {
    const [owner, tookOver] = (await this.#call(() =>
      this.#commands.eval(claimScript, 1, this.#ownerKey(document), this.instanceId, this.#prefix),
    )) as [string, number]
    if (owner !== this.instanceId) return { kind: 'elsewhere', owner }
    if (tookOver === 1) {
      this.#takeovers++
      this.#logger.info({ room: document }, 'took over a document whose owner had died')
    }
    this.#owned.add(document)
    return { kind: 'here' }
  }

  release(document: string): void {
    if (!this.#owned.delete(document) || !this.#isUp) return
    this.#commands
      .eval(releaseScript, 1, this.#ownerKey(document), this.instanceId)
      .catch((error: unknown) => this.#problem(error as Error))
  }

  async connect(owner: string, hello: LinkHello, peer: LinkPeer): Promise<Link> {
    const end: LinkEnd = {
      id: `${this.instanceId}|${++this.#lastLinkNumber}`,
      peerInstance: owner,
      peer,
      bufferedBytes: 0,
    }
    // Held before the open is sent: the owner's first frames may come back before its reply.
    this.#links.set(end.id, end)
    let receivers: number
    try {
      receivers = await this.#call(() =>
        this.#commands.publish(
          this.#inboxOf(owner),
          encodeEnvelope(EnvelopeKind.open, end.id, Buffer.from(JSON.stringify(hello))),
        ),
      )
    } catch (error) {
      this.#links.delete(end.id)
      throw error
    }
    if (receivers === 0) {
      this.#links.delete(end.id)
      throw new OwnerGoneError(owner)
    }
    return this.#linkOf(end)
  }

  serve(events: ClusterEvents): void {
    this.#events = events
  }

  async announceRevocation(userId: string, revokedAtMs: number): Promise<void> {
    const payload = Buffer.from(JSON.stringify({ userId, revokedAtMs }))
    await this.#call(() =>
      this.#commands.publish(
        this.#broadcast,
        encodeEnvelope(EnvelopeKind.revoked, this.instanceId, payload),
      ),
    )
  }

  status(): ClusterStatus {
    let linksOut = 0
    for (const end of this.#links.values()) if (linkOpener(end.id) === this.instanceId) linksOut++
    return {
      instanceId: this.instanceId,
      status: this.#isUp ? 'ok' : 'degraded',
      busLatencyMs: this.#isUp ? this.#busLatencyMs : null,
      ownedDocuments: this.#owned.size,
      linksOut,
      linksIn: this.#links.size - linksOut,
      takeovers: this.#takeovers,
    }
  }

  async close(): Promise<void> {
    if (this.#isClosed) return
    this.#isClosed = true
    clearInterval(this.#timer)
    this.#endLinks(() => true, 'server restarting; reconnect')
    if (this.#isUp) {
      const pipeline = this.#commands.pipeline()
      for (const document of this.#owned) {
        pipeline.eval(releaseScript, 1, this.#ownerKey(document), this.instanceId)
      }
      pipeline.del(this.#livenessKey(this.instanceId))
      await pipeline.exec().catch((error: unknown) => this.#problem(error as Error))
    }
    this.#owned.clear()
    this.#commands.disconnect()
    this.#subscriber.disconnect()
  }

  #linkOf(end: LinkEnd): Link {
    return {
      send: (frame) => this.#send(end, EnvelopeKind.frame, frame),
      close: (code, reason) => {
        if (!this.#links.delete(end.id)) return
        end.peer = undefined
        this.#send(end, EnvelopeKind.close, closePayload(code, reason))
      },
      get bufferedBytes() {
        return end.bufferedBytes
      },
    }
  }

  // Counted as buffered until Redis has taken it. Messages go out at the end of the turn, in
  // order, one PUBLISH per instance for a frame that a broadcast sent to several of its links.
  #send(end: LinkEnd, kind: EnvelopeKind, payload: Uint8Array): void {
    if (!this.#isUp) {
      this.#endLink(end, busLostReason)
      return
    }
    end.bufferedBytes += payload.length
    let outbox = this.#outboxes.get(end.peerInstance)
    if (!outbox) {
      outbox = []
      this.#outboxes.set(end.peerInstance, outbox)
    }
    outbox.push({ end, kind, payload })
    if (this.#isFlushScheduled) return
    this.#isFlushScheduled = true
    queueMicrotask(() => this.#flush())
  }

  #flush(): void {
    this.#isFlushScheduled = false
    const outboxes = [...this.#outboxes]
    this.#outboxes.clear()
    for (const [instance, messages] of outboxes) {
      for (const group of groupedForPublish(messages)) this.#publish(instance, group)
    }
  }

  // A message that reached nobody, or that the bus could not take, ends its links: the other end
  // is gone, or will end them when it sees the bus lost.
  #publish(instance: string, group: readonly OutgoingMessage<LinkEnd>[]): void {
    const { kind, payload } = group[0]!
    const ids = group.map((message) => message.end.id).join(linkIdSeparator)
    const settled = (reason: string | null) => {
      for (const { end } of group) {
        end.bufferedBytes -= payload.length
        if (reason !== null) this.#endLink(end, reason)
      }
    }
    this.#commands.publish(this.#inboxOf(instance), encodeEnvelope(kind, ids, payload)).then(
      (receivers) => settled(receivers === 0 ? ownerGoneReason : null),
      () => settled(busLostReason),
    )
  }

  #received(message: Buffer): void {
    const envelope = decodeEnvelope(message)
    if (!envelope) return
    if (envelope.kind === EnvelopeKind.revoked) {
      this.#revoked(envelope)
      return
    }
    if (envelope.kind === EnvelopeKind.open) {
      this.#opened(envelope)
      return
    }
    if (envelope.kind === EnvelopeKind.frame) {
      for (const id of envelope.linkId.split(linkIdSeparator))
        this.#frameReceived(id, envelope.payload)
      return
    }
    const end = this.#links.get(envelope.linkId)
    if (!end) return
    this.#links.delete(end.id)
    const { code, reason } = parseClose(envelope.payload)
    const { peer } = end
    end.peer = undefined
    peer?.closed(code, reason)
  }

  #frameReceived(linkId: string, payload: Buffer): void {
    const end = this.#links.get(linkId)
    if (end) {
      end.peer?.frame(payload)
      return
    }
    // A frame for a link another instance opened and this one no longer has (it ended it, or
    // restarted): say so. One this instance opened has ended here, and the owner was told.
    if (linkOpener(linkId) !== this.instanceId) this.#refuse(linkId, 'the link is gone; reconnect')
  }

  #opened(envelope: Envelope): void {
    const hello = parseHello(envelope.payload)
    if (!hello || !this.#events) {
      this.#refuse(envelope.linkId, 'not served here; reconnect')
      return
    }
    const end: LinkEnd = {
      id: envelope.linkId,
      peerInstance: linkOpener(envelope.linkId),
      peer: undefined,
      bufferedBytes: 0,
    }
    this.#links.set(end.id, end)
    end.peer = this.#events.linkOpened(hello, this.#linkOf(end))
  }

  #revoked(envelope: Envelope): void {
    if (envelope.linkId === this.instanceId) return
    const revocation = parseRevocation(envelope.payload)
    if (revocation) this.#events?.revoked(revocation.userId, revocation.revokedAtMs)
  }

  /** Tells the other end of a link this instance does not hold that it is over. */
  #refuse(linkId: string, reason: string): void {
    const end = { id: linkId, peerInstance: linkOpener(linkId), peer: undefined, bufferedBytes: 0 }
    this.#send(end, EnvelopeKind.close, closePayload(CloseCode.serviceRestart, reason))
  }

  /** Ends a link here and tells the local end (the other end learns it another way). */
  #endLink(end: LinkEnd, reason: string): void {
    if (!this.#links.delete(end.id)) return
    const { peer } = end
    end.peer = undefined
    peer?.closed(CloseCode.serviceRestart, reason)
  }

  #endLinks(isEnded: (end: LinkEnd) => boolean, reason: string): void {
    for (const end of [...this.#links.values()]) if (isEnded(end)) this.#endLink(end, reason)
  }

  // Either connection dropped: messages may have been lost, so no link can be trusted. Their
  // clients reconnect and sync again; the documents open here stay open (the store fences them).
  #lost(): void {
    if (!this.#isUp || this.#isClosed) return
    this.#isUp = false
    this.#logger.warn({ redis: this.#location, links: this.#links.size }, 'lost the cluster bus')
    this.#endLinks(() => true, busLostReason)
  }

  async #back(): Promise<void> {
    // Before start has joined, 'ready' is the first connection, not a return.
    if (this.#isUp || this.#isClosed || this.#timer === undefined) return
    if (this.#commands.status !== 'ready' || this.#subscriber.status !== 'ready') return
    try {
      await this.#beat()
      await this.#auditOwned()
    } catch (error) {
      this.#problem(error as Error)
      return
    }
    this.#isUp = true
    this.#logger.info({ redis: this.#location }, 'the cluster bus is back')
  }

  // Each document open here must still name this instance as its owner: after Redis came back
  // (maybe empty) one that names none is claimed again, and one another instance claimed
  // meanwhile (this one's liveness lapsed, or Redis lost the key) is closed here.
  async #auditOwned(): Promise<void> {
    const documents = [...this.#owned]
    for (let start = 0; start < documents.length; start += auditChunk) {
      const chunk = documents.slice(start, start + auditChunk)
      const owners = await this.#commands.mget(...chunk.map((document) => this.#ownerKey(document)))
      for (const [i, document] of chunk.entries()) {
        if (owners[i] === this.instanceId || !this.#owned.has(document)) continue
        const [owner] = (await this.#commands.eval(
          claimScript,
          1,
          this.#ownerKey(document),
          this.instanceId,
          this.#prefix,
        )) as [string, number]
        if (owner === this.instanceId) continue
        this.#owned.delete(document)
        this.#logger.warn({ room: document, owner }, 'another instance owns the document now')
        this.#events?.ownershipLost(document)
      }
    }
  }

  /** Writes this instance's liveness and times the round trip. */
  async #beat(): Promise<void> {
    const startedAtMs = performance.now()
    await this.#commands.set(this.#livenessKey(this.instanceId), '1', 'PX', this.#livenessTtlMs)
    this.#busLatencyMs = performance.now() - startedAtMs
  }

  // Liveness, the peers at the other end of links, and the documents owned here.
  async #tick(): Promise<void> {
    if (!this.#isUp) return
    try {
      await this.#beat()
      await this.#endLinksOfDeadPeers()
      await this.#auditOwned()
    } catch (error) {
      this.#problem(error as Error)
    }
  }

  // A peer whose inbox nobody listens to any more, or whose liveness lapsed, has died: its links
  // end, and their clients reconnect.
  async #endLinksOfDeadPeers(): Promise<void> {
    const peers = [...new Set([...this.#links.values()].map((end) => end.peerInstance))]
    if (peers.length === 0) return
    const pipeline = this.#commands.pipeline()
    pipeline.pubsub('NUMSUB', ...peers.map((peer) => this.#inboxOf(peer)))
    for (const peer of peers) pipeline.exists(this.#livenessKey(peer))
    const results = (await pipeline.exec()) ?? []
    const numsub = (results[0]?.[1] ?? []) as Array<string | number>
    const dead = new Set<string>()
    peers.forEach((peer, i) => {
      const listening = Number(numsub[i * 2 + 1] ?? 0)
      const alive = results[i + 1]?.[1] === 1
      if (listening === 0 || !alive) dead.add(peer)
    })
    if (dead.size === 0) return
    this.#logger.warn({ instances: [...dead] }, 'instances stopped; their links end')
    this.#endLinks((end) => dead.has(end.peerInstance), ownerGoneReason)
  }

  async #call<T>(call: () => Promise<T>): Promise<T> {
    if (!this.#isUp) throw new ClusterUnavailableError(`Redis (${this.#location}) is not reachable`)
    try {
      return await call()
    } catch (error) {
      throw new ClusterUnavailableError(
        `Redis (${this.#location}) failed: ${(error as Error).message}`,
        { cause: error },
      )
    }
  }

  #problem(error: Error): void {
    this.#logger.debug({ err: error, redis: this.#location }, 'cluster bus problem')
  }

  #ownerKey(document: string): string {
    return `${this.#prefix}owner:${document}`
  }

  #livenessKey(instance: string): string {
    return `${this.#prefix}instance:${instance}`
  }

  #inboxOf(instance: string): string {
    return `${this.#prefix}inbox:${instance}`
  }
}
