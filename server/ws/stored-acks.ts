// Tells a client which of its updates are durable (protocol/README.md §6), in the order they
// came in, whatever order their writes settle in.
import { writeStoredAck } from '../../protocol/stored-ack.js'

/**
 * Counts a connection's update messages and sends the count of those stored. Updates that need
 * no write (empty ones) are acknowledged once everything before them is. After a failed write
 * nothing more is acknowledged: the connection is closed with 1011 and the client resends.
 */
export class StoredAcks {
  readonly #send: (frame: Uint8Array) => void
  #received = 0
  #previous: Promise<void> = Promise.resolve()
  #hasFailed = false

  constructor(send: (frame: Uint8Array) => void) {
    this.#send = send
    // Count 0 at once: the client learns that acknowledgements are on.
    send(writeStoredAck(0))
  }

  /** An update message came in; `write` is its write, or undefined when it needs none. */
  received(write: Promise<void> | undefined): void {
    const count = ++this.#received
    const ready = write ? Promise.all([this.#previous, write]) : this.#previous
    this.#previous = ready.then(
      () => {
        if (!this.#hasFailed) this.#send(writeStoredAck(count))
      },
      () => {
        this.#hasFailed = true
      },
    )
  }
}
