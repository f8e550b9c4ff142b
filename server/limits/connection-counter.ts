// How many WebSocket connections (upgrades under way included) the server holds, in all and per
// client address.

/** Counts connections; a connection is counted from `add` until the function it returned runs. */
export class ConnectionCounter {
  readonly #byAddress = new Map<string, number>()
  #total = 0

  /** Connections counted now. */
  get total(): number {
    return this.#total
  }

  /** Connections counted now from `address`. */
  countOf(address: string): number {
    return this.#byAddress.get(address) ?? 0
  }

  /** Counts a connection from `address`; the returned function uncounts it (only once). */
  add(address: string): () => void {
    this.#total++
    this.#byAddress.set(address, this.countOf(address) + 1)
    let isCounted = true
    return () => {
      if (!isCounted) return
      isCounted = false
      this.#total--
      const left = this.countOf(address) - 1
      if (left > 0) this.#byAddress.set(address, left)
      else this.#byAddress.delete(address)
    }
  }
}
