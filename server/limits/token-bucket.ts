// A token bucket: a rate with a burst. Allocation-free, so it can be charged on every frame.

/**
 * Holds up to `capacity` tokens and refills continuously at `ratePerSecond`. `take` spends tokens
 * when there are enough; times are milliseconds on one monotonic clock (`performance.now()`).
 */
export class TokenBucket {
  readonly #capacity: number
  readonly #tokensPerMs: number
  #tokens: number
  #updatedAtMs: number

  /** Starts full, so a new connection has its whole burst. */
  constructor(ratePerSecond: number, capacity: number, nowMs: number) {
    this.#capacity = capacity
    this.#tokensPerMs = ratePerSecond / 1000
    this.#tokens = capacity
    this.#updatedAtMs = nowMs
  }

  /** The most tokens the bucket holds: the burst. */
  get capacity(): number {
    return this.#capacity
  }

  /** Spends `amount` tokens and returns true, or spends none and returns false. */
  take(amount: number, nowMs: number): boolean {
    const refilled = this.#tokens + (nowMs - this.#updatedAtMs) * this.#tokensPerMs
    this.#tokens = refilled < this.#capacity ? refilled : this.#capacity
    this.#updatedAtMs = nowMs
    if (this.#tokens < amount) return false
    this.#tokens -= amount
    return true
  }
}
