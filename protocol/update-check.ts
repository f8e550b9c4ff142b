// Checks that bytes are a well-formed Yjs update (encoding v1) without building it: the server
// stores an update before it relays it and applies it to a document only later, so it must know
// at once that the update will decode. This walks the same grammar as Yjs's decoder
// (yjs src/utils/encoding.js readClientsStructRefs, src/utils/DeleteSet.js readDeleteSet, the
// content readers and lib0's readAny) but allocates nothing per struct, and it is stricter than
// Yjs where Yjs reads past the end: every length is checked against the update. Bytes after the
// delete set are ignored, as Yjs ignores them. No Node or DOM APIs beyond TextDecoder.
import * as decoding from 'lib0/decoding'
import { type StructPlace, type UpdateShape, UpdateShapeRecorder } from './update-shape.js'
import { AnyTag, StructInfo, StructRef, TypeRef } from './yjs-encoding.js'

/** Thrown for bytes that are not a well-formed update; the message names the offset. */
export class MalformedUpdateError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MalformedUpdateError'
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

class UpdateReader {
  readonly #decoder: decoding.Decoder
  readonly shape = new UpdateShapeRecorder()

  constructor(bytes: Uint8Array) {
    this.#decoder = decoding.createDecoder(bytes)
  }

  get #pos(): number {
    return this.#decoder.pos
  }

  get #bytes(): Uint8Array {
    return this.#decoder.arr
  }

  fail(what: string, at = this.#pos): never {
    throw new MalformedUpdateError(`malformed Yjs update at byte ${at}: ${what}`)
  }

  uint8(what: string): number {
    if (this.#pos >= this.#bytes.length) this.fail(`truncated (${what})`)
    return decoding.readUint8(this.#decoder)
  }

  // lib0 bounds varints itself, except for their first byte.
  varUint(what: string): number {
    return this.#varint(decoding.readVarUint, what)
  }

  varInt(what: string): void {
    this.#varint(decoding.readVarInt, what)
  }

  // lib0 checks the range only between bytes, so a last byte can still take a value past 2^53,
  // which Yjs cannot write back exactly and throws on when it re-reads what it kept pending.
  #varint(read: (decoder: decoding.Decoder) => number, what: string): number {
    const at = this.#pos
    if (at >= this.#bytes.length) this.fail(`truncated (${what})`)
    let value: number
    try {
      value = read(this.#decoder)
    } catch {
      return this.fail(`truncated or out-of-range integer (${what})`, at)
    }
    if (!Number.isSafeInteger(value)) this.fail(`out-of-range integer (${what})`, at)
    return value
  }

  skip(length: number, what: string): number {
    const start = this.#pos
    if (length > this.#bytes.length - start) {
      this.fail(`${what} declares ${length} bytes but ${this.#bytes.length - start} remain`)
    }
    this.#decoder.pos += length
    return start
  }

  /** A length-prefixed byte string; returns its bytes (a view, not a copy). */
  varBytes(what: string): Uint8Array {
    const length = this.varUint(`${what} length`)
    const start = this.skip(length, what)
    return this.#bytes.subarray(start, start + length)
  }

  varString(what: string): string {
    const at = this.#pos
    const bytes = this.varBytes(what)
    try {
      return utf8.decode(bytes)
    } catch {
      return this.fail(`${what} is not valid UTF-8`, at)
    }
  }

  /** A JSON text; legacy JSON content may also hold the word `undefined`. */
  json(what: string, isUndefinedAllowed = false): void {
    const at = this.#pos
    const text = this.varString(what)
    if (isUndefinedAllowed && text === 'undefined') return
    try {
      JSON.parse(text)
    } catch {
      this.fail(`${what} is not valid JSON`, at)
    }
  }

  /** One lib0 `any` value, containers included, without recursion. */
  any(): void {
    // Entries still to read in each open object (keyed) or array.
    const open: Array<{ left: number; keyed: boolean }> = []
    for (;;) {
      const at = this.#pos
      const tag = this.uint8('value type')
      switch (tag) {
        case AnyTag.undefined:
        case AnyTag.null:
        case AnyTag.false:
        case AnyTag.true:
          break
        case AnyTag.varInt:
          this.varInt('integer')
          break
        case AnyTag.float32:
          this.skip(4, 'float32')
          break
        case AnyTag.float64:
        case AnyTag.bigInt64:
          this.skip(8, tag === AnyTag.float64 ? 'float64' : 'bigint')
          break
        case AnyTag.string:
          this.varString('string value')
          break
        case AnyTag.object:
          open.push({ left: this.varUint('object size'), keyed: true })
          break
        case AnyTag.array:
          open.push({ left: this.varUint('array length'), keyed: false })
          break
        case AnyTag.bytes:
          this.varBytes('binary value')
          break
        default:
          this.fail(`unknown value type ${tag}`, at)
      }
      let container = open.at(-1)
      while (container && container.left === 0) {
        open.pop()
        container = open.at(-1)
      }
      if (!container) return
      container.left--
      if (container.keyed) this.varString('object key')
    }
  }

  /** Reads an item's content; returns its length in clock ticks. */
  itemContent(ref: number, at: number): number {
    switch (ref) {
      case StructRef.deleted:
        return this.varUint('deleted length')
      case StructRef.json: {
        const count = this.varUint('JSON content length')
        for (let i = 0; i < count; i++) this.json('JSON content', true)
        return count
      }
      case StructRef.binary:
        this.varBytes('binary content')
        return 1
      case StructRef.string:
        // Yjs counts a string in UTF-16 code units.
        return this.varString('string content').length
      case StructRef.embed:
        this.json('embed')
        return 1
      case StructRef.format:
        this.varString('format key')
        this.json('format value')
        return 1
      case StructRef.type: {
        const typeAt = this.#pos
        const typeRef = this.varUint('type')
        if (typeRef >= TypeRef.count) this.fail(`unknown shared type ${typeRef}`, typeAt)
        if (typeRef === TypeRef.xmlElement || typeRef === TypeRef.xmlHook)
          this.varString('XML node name')
        return 1
      }
      case StructRef.any: {
        const count = this.varUint('content length')
        for (let i = 0; i < count; i++) this.any()
        return count
      }
      case StructRef.doc: {
        this.varString('subdocument guid')
        // Yjs reads the options' shouldLoad: any value but null and undefined will do.
        const optionsTag = this.#bytes[this.#pos]
        if (optionsTag === AnyTag.null || optionsTag === AnyTag.undefined) {
          this.fail('subdocument options are null')
        }
        this.any()
        return 1
      }
      default:
        return this.fail(`unknown struct type ${ref}`, at)
    }
  }

  /** Reads the struct of `client` at `clock`; returns its length in clock ticks. */
  struct(client: number, clock: number): number {
    const at = this.#pos
    const info = this.uint8('struct info')
    const ref = info & 0x1f
    // Yjs's two decoders agree on these only when a skip's info byte is exactly 10.
    if (ref === StructRef.gc || info === StructRef.skip) {
      const length = this.varUint('struct length')
      if (length === 0) this.fail(`the struct at clock ${clock} has length 0`, at)
      if (info === StructRef.skip) this.shape.skip(clock, length)
      return length
    }
    let placeKind: StructPlace['kind'] = 'root'
    let placeClient = 0
    let placeClock = 0
    if (info & StructInfo.hasOrigin) {
      placeKind = 'beside'
      placeClient = this.varUint('origin client')
      placeClock = this.varUint('origin clock')
      this.reference(client, clock, placeClient, placeClock, 'an origin', at)
    }
    if (info & StructInfo.hasRightOrigin) {
      const originClient = this.varUint('right origin client')
      const originClock = this.varUint('right origin clock')
      this.reference(client, clock, originClient, originClock, 'a right origin', at)
      if (placeKind === 'root') {
        ;[placeKind, placeClient, placeClock] = ['beside', originClient, originClock]
      }
    }
    if ((info & (StructInfo.hasOrigin | StructInfo.hasRightOrigin)) === 0) {
      // No origins: the parent follows, as a root type name or as the ID of a type item.
      if (this.varUint('parent kind') === 1) {
        this.varString('root type name')
      } else {
        placeKind = 'inside'
        placeClient = this.varUint('parent client')
        placeClock = this.varUint('parent clock')
        this.reference(client, clock, placeClient, placeClock, 'a parent', at)
      }
      if (info & StructInfo.hasParentSub) this.varString('map key')
    }
    const length = this.itemContent(ref, at)
    // Yjs writes no empty item, and throws while it integrates one.
    if (length === 0) this.fail(`the item at clock ${clock} has no content`, at)
    this.shape.item(clock, length, placeKind, placeClient, placeClock, ref === StructRef.type)
    return length
  }

  // Yjs takes a struct's references to its own client's structs to be to earlier ones (a client
  // writes in clock order) and never checks them: one to a later clock makes it throw while it
  // integrates the struct, in every process that receives it.
  reference(
    client: number,
    clock: number,
    toClient: number,
    toClock: number,
    what: string,
    at: number,
  ): void {
    if (toClient === client && toClock >= clock) {
      this.fail(`the struct at clock ${clock} has ${what} at its own client's clock ${toClock}`, at)
    }
    this.shape.refer(toClient, toClock)
  }

  update(): void {
    const clients = this.varUint('number of clients')
    for (let i = 0; i < clients; i++) {
      const structs = this.varUint('number of structs')
      const client = this.varUint('first struct client')
      let clock = this.varUint('first struct clock')
      this.shape.startClient(client, clock)
      for (let j = 0; j < structs; j++) clock += this.struct(client, clock)
      this.shape.endClient(clock)
    }
    const deleteClients = this.varUint('number of clients in the delete set')
    for (let i = 0; i < deleteClients; i++) {
      const client = this.varUint('delete set client')
      const ranges = this.varUint('number of deleted ranges')
      for (let j = 0; j < ranges; j++) {
        const clock = this.varUint('deleted range clock')
        const at = this.#pos
        const length = this.varUint('deleted range length')
        if (length === 0) this.fail('a deleted range has length 0', at)
        this.shape.delete(client, clock, length)
      }
    }
  }
}

/**
 * Throws MalformedUpdateError unless `update` is a well-formed Yjs update (encoding v1), that is
 * one `Y.applyUpdate` can decode, and returns its shape. Says nothing about whether its structs
 * fit a given document: the shape is what a document needs to tell.
 */
export function checkUpdate(update: Uint8Array): UpdateShape {
  const reader = new UpdateReader(update)
  reader.update()
  return reader.shape.finish()
}
