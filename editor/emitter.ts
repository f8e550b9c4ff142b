// A minimal typed event emitter for the editor handle and the connection.

/** Listeners by event name; `on` returns the function that removes the listener. */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(value: never) => void>>()

  /** Calls `listener` on every `type` event until the returned function is called. */
  on<K extends keyof Events>(type: K, listener: (value: Events[K]) => void): () => void {
    let listeners = this.#listeners.get(type)
    if (!listeners) this.#listeners.set(type, (listeners = new Set()))
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  /** Calls every listener of `type` with `value`, in the order they were added. */
  emit<K extends keyof Events>(type: K, value: Events[K]): void {
    for (const listener of this.#listeners.get(type) ?? [])
      (listener as (value: Events[K]) => void)(value)
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear()
  }
}
