// The part of leveldown's callback API that database.ts uses (the package ships no types).
declare module 'leveldown' {
  type Callback<T = void> = (error: Error | undefined, value: T) => void

  export type BatchOperation =
    { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer }

  export interface LevelDownIterator {
    next(callback: (error: Error | undefined, key?: Buffer, value?: Buffer) => void): void
    end(callback: (error: Error | undefined) => void): void
  }

  export interface LevelDown {
    open(options: { createIfMissing?: boolean }, callback: (error: Error | undefined) => void): void
    close(callback: (error: Error | undefined) => void): void
    get(key: Buffer, options: { asBuffer: true }, callback: Callback<Buffer>): void
    batch(
      operations: BatchOperation[],
      options: { sync: boolean },
      callback: (error: Error | undefined) => void,
    ): void
    iterator(options: {
      gt?: Buffer
      gte?: Buffer
      lt?: Buffer
      limit?: number
      /** false: `next` gives each key with an empty value. */
      values?: boolean
      keyAsBuffer: true
      valueAsBuffer: true
    }): LevelDownIterator
  }

  export default function leveldown(location: string): LevelDown
}
