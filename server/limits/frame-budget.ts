// What one connection may send: messages and bytes per second, each a token bucket with a burst,
// and the echo credit that keeps awareness a stock client only repeats from counting against them.
import { CloseCode } from '../../protocol/close-codes.js'
import { CollabError } from '../../protocol/collab-error.js'
import type { ServerLimits } from '../options.js'
import { TokenBucket } from './token-bucket.js'

/** The limits a frame budget enforces; a rate of 0 turns that limit off. */
export type RateLimits = Pick<
  ServerLimits,
  'maxMessagesPerSecond' | 'maxBytesPerSecond' | 'maxFrameBytes'
>

/**
 * How many seconds of its rate a connection may send at once. Stock y-websocket sends every
 * transaction as its own frame, so app code that makes many small changes without `transact`
 * (an import, a script) sends thousands at once, then nothing; ten seconds' worth absorbs that
 * while a client that keeps sending faster than the rate is still closed within seconds.
 */
export const burstSeconds = 10

/**
 * Byte credit per awareness byte the server sent. A stock client sends back every awareness
 * change it receives, re-encoded with JSON.stringify, which is byte for byte the same for what
 * stock clients send and at most 5.25 times longer for anything (a number written `1e20` comes
 * back as 21 digits), so a sender's crafted state cannot push the others' echoes past it.
 */
export const echoBytesPerSentByte = 6

const rateLimited = (what: string): CollabError =>
  new CollabError('COLLAB_RATE_LIMITED', CloseCode.rateLimited, `rate limit: more than ${what}`)

/**
 * The send budget of one connection. Frames the connection originates are charged to its message
 * and byte buckets; an awareness frame that changes nothing (a stock client's echo of what it was
 * sent) is paid from a credit that each awareness frame sent to the connection earns, one frame
 * and `echoBytesPerSentByte` bytes per byte, capped at one burst. Echoes therefore cost the
 * client nothing however busy its room is, and a client cannot send more of them than it was
 * sent: what exceeds the credit is charged as originated.
 */
export class FrameBudget {
  readonly #limits: RateLimits
  readonly #messages: TokenBucket | null
  readonly #bytes: TokenBucket | null
  readonly #maxEchoFrames: number
  readonly #maxEchoBytes: number
  #echoFrames = 0
  #echoBytes = 0

  constructor(limits: RateLimits, nowMs: number) {
    const { maxMessagesPerSecond, maxBytesPerSecond, maxFrameBytes } = limits
    this.#limits = limits
    this.#messages =
      maxMessagesPerSecond > 0
        ? new TokenBucket(maxMessagesPerSecond, maxMessagesPerSecond * burstSeconds, nowMs)
        : null
    // Any frame small enough to be accepted fits in a full bucket.
    this.#bytes =
      maxBytesPerSecond > 0
        ? new TokenBucket(
            maxBytesPerSecond,
            Math.max(maxBytesPerSecond * burstSeconds, maxFrameBytes),
            nowMs,
          )
        : null
    this.#maxEchoFrames = this.#messages?.capacity ?? Infinity
    this.#maxEchoBytes = this.#bytes?.capacity ?? Infinity
  }

  /** Charges a frame of `bytes` that the connection originated; throws 4429 past a limit. */
  charge(bytes: number, nowMs: number): void {
    if (this.#messages?.take(1, nowMs) === false) {
      throw rateLimited(`${this.#limits.maxMessagesPerSecond} messages per second`)
    }
    this.#chargeBytes(bytes, nowMs)
  }

  /** Records an awareness frame of `bytes` sent to the connection: it may come back as an echo. */
  creditEcho(bytes: number): void {
    if (this.#echoFrames < this.#maxEchoFrames) this.#echoFrames++
    const credit = this.#echoBytes + bytes * echoBytesPerSentByte
    this.#echoBytes = credit < this.#maxEchoBytes ? credit : this.#maxEchoBytes
  }

  /**
   * Charges an awareness frame that changed nothing: free within the echo credit (bytes beyond
   * the byte credit are charged), charged as originated once the credit is spent.
   */
  chargeEcho(bytes: number, nowMs: number): void {
    if (this.#echoFrames < 1) {
      this.charge(bytes, nowMs)
      return
    }
    this.#echoFrames--
    const covered = bytes < this.#echoBytes ? bytes : this.#echoBytes
    this.#echoBytes -= covered
    if (covered < bytes) this.#chargeBytes(bytes - covered, nowMs)
  }

  #chargeBytes(bytes: number, nowMs: number): void {
    if (this.#bytes?.take(bytes, nowMs) === false) {
      throw rateLimited(`${this.#limits.maxBytesPerSecond} bytes per second`)
    }
  }
}
