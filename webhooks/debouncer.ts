// Debouncing per key with a maximum wait: a burst of changes to one key fires once, after the
// key has been quiet for the debounce time, and a key changed without pause still fires at least
// once every maximum wait. One pending entry per key; its timers never keep the process alive.

/** Options of a Debouncer. */
export interface DebouncerOptions<Key, Value> {
  /** How long a key must be quiet before it fires, in milliseconds. */
  readonly debounceMs: number
  /** The longest a key waits from its first pending change to firing, in milliseconds. */
  readonly maxWaitMs: number
  /** Called with what was pending for `key`, once it is due. Must not throw. */
  readonly fire: (key: Key, value: Value) => void
}

interface Pending<Value> {
  value: Value
  /** performance.now() at which the key fires even if it is never quiet. */
  readonly deadline: number
  timer: NodeJS.Timeout
}

/** Collects changes per key and fires each key once its burst settled or its maximum wait ran out. */
export class Debouncer<Key, Value> {
  readonly #options: DebouncerOptions<Key, Value>
  readonly #pending = new Map<Key, Pending<Value>>()

  constructor(options: DebouncerOptions<Key, Value>) {
    this.#options = options
  }

  /**
   * Records a change of `key`: `merge` turns what is pending (undefined for the first change of
   * a burst) into what will be. Restarts the key's quiet time, never past its deadline.
   */
  add(key: Key, merge: (pending: Value | undefined) => Value): void {
    const now = performance.now()
    const pending = this.#pending.get(key)
    if (pending) {
      clearTimeout(pending.timer)
      pending.value = merge(pending.value)
      pending.timer = this.#startTimer(
        key,
        Math.min(this.#options.debounceMs, pending.deadline - now),
      )
      return
    }
    this.#pending.set(key, {
      value: merge(undefined),
      deadline: now + this.#options.maxWaitMs,
      timer: this.#startTimer(key, this.#options.debounceMs),
    })
  }

  /** Removes what is pending for `key` without firing it; undefined when nothing is. */
  take(key: Key): Value | undefined {
    const pending = this.#pending.get(key)
    if (!pending) return undefined
    clearTimeout(pending.timer)
    this.#pending.delete(key)
    return pending.value
  }

  /** Drops everything pending, unfired. */
  clear(): void {
    for (const { timer } of this.#pending.values()) clearTimeout(timer)
    this.#pending.clear()
  }

  #startTimer(key: Key, delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const value = this.take(key)
      if (value !== undefined) this.#options.fire(key, value)
    }, delayMs)
    // The server's sockets keep it running; a pending debounce alone must not.
    timer.unref()
    return timer
  }
}
