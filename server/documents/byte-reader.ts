// Exact byte counts out of a stream of chunks of any size, as the backup reader needs them
// (backup-format.ts). Pure.

/** Reads exact byte counts from a stream of chunks, keeping only what it has not handed out. */
export class ByteReader {
  readonly #iterator: AsyncIterator<Uint8Array>
  readonly #chunks: Uint8Array[] = []
  #buffered = 0
  #isDone = false
  /** Bytes handed out so far: the file offset of the next byte. */
  position = 0

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#iterator = source[Symbol.asyncIterator]()
  }

  /** The next `count` bytes, or fewer when the stream ends first. */
  async read(count: number): Promise<Uint8Array> {
    while (this.#buffered < count && !this.#isDone) {
      const next = await this.#iterator.next()
      if (next.done === true) this.#isDone = true
      else if (next.value.length > 0) {
        this.#chunks.push(next.value)
        this.#buffered += next.value.length
      }
    }
    const length = Math.min(count, this.#buffered)
    const first = this.#chunks[0]
    let bytes: Uint8Array
    if (first !== undefined && first.length >= length) {
      bytes = first.subarray(0, length)
      if (first.length === length) this.#chunks.shift()
      else this.#chunks[0] = first.subarray(length)
    } else {
      bytes = new Uint8Array(length)
      // One splice for the chunks used up: a record may span many thousands of small chunks.
      let used = 0
      for (let filled = 0; filled < length; used += 1) {
        const chunk = this.#chunks[used]!
        const part = chunk.subarray(0, length - filled)
        bytes.set(part, filled)
        filled += part.length
        if (part.length < chunk.length) {
          this.#chunks[used] = chunk.subarray(part.length)
          break
        }
      }
      this.#chunks.splice(0, used)
    }
    this.#buffered -= length
    this.position += length
    return bytes
  }

  /** Lets the source go (e.g. closes the file) when reading stops early. */
  async close(): Promise<void> {
    if (!this.#isDone) await this.#iterator.return?.()
  }
}
