// What an update's structs need of a document and how deep they nest shared types, collected by
// the update check (update-check.ts) as it walks them. A room uses it to refuse an update whose
// content would wait for ever for content the document lacks (Yjs keeps such "pending" structs
// and sends them to every joiner), and one that nests types deeper than its limit (Yjs deletes
// and garbage-collects nested types recursively, so a deep enough nesting overflows the stack of
// every process that loads the document). No Node or DOM APIs.

/** Where a struct sits: a root type, inside a type item, or beside another item. */
export type StructPlace =
  | { readonly kind: 'root' }
  | { readonly kind: 'inside'; readonly client: number; readonly clock: number }
  | { readonly kind: 'beside'; readonly client: number; readonly clock: number }

/**
 * How deep an update nests types under a place it does not hold itself: a root type, a type item
 * of the document (`inside`), or the parent of an item of the document (`beside`). The types it
 * creates there reach `levels` below that place's type: depth = that type's depth + `levels`.
 */
export interface NestingUnder {
  readonly place: StructPlace
  readonly levels: number
}

/** One client's structs in an update: clocks `start` up to (not including) `end`. */
export interface ClientRange {
  readonly client: number
  readonly start: number
  readonly end: number
}

/** What one update holds and needs, as far as a document can tell without applying it. */
export interface UpdateShape {
  /** Each client's structs (gaps the update skips are in `needs`). */
  readonly ranges: readonly ClientRange[]
  /**
   * The clock a document must have reached for each client before the update integrates fully:
   * one past the highest clock its structs refer to (origins, parents, skipped ranges) or delete.
   */
  readonly needs: ReadonlyMap<number, number>
  /** Nesting under each place outside the update that it creates types under; empty if none. */
  nesting(): readonly NestingUnder[]
}

// A run of structs of one client with consecutive clocks in the same parent type, recorded while
// the update is read: each struct that is not simply the next character of the one before it
// starts a new run. A type item is a run of its own (the items inside it refer to it).
interface Run {
  readonly clock: number
  length: number
  readonly place: StructPlace
  readonly isType: boolean
}

// A run's parent type, resolved: how many levels it is below the type of a place outside the
// update.
interface Resolved {
  readonly place: StructPlace
  readonly levels: number
}

const root: StructPlace = { kind: 'root' }

/** Collects an update's shape; update-check.ts calls it for every struct it reads. */
export class UpdateShapeRecorder {
  readonly #ranges: ClientRange[] = []
  readonly #needs = new Map<number, number>()
  readonly #runs: Run[] = []
  /** Runs by client, in clock order (structs of a client come in clock order). */
  readonly #runsOf = new Map<number, Run[]>()
  #hasTypes = false
  #client = 0
  #start = 0

  /** The structs of `client` start at `clock`. */
  startClient(client: number, clock: number): void {
    this.#client = client
    this.#start = clock
  }

  /** The structs of the current client end before `clock`. */
  endClient(clock: number): void {
    if (clock > this.#start) {
      this.#ranges.push({ client: this.#client, start: this.#start, end: clock })
    }
  }

  /** The update refers to the struct `client`:`clock` (an origin or a parent). */
  refer(client: number, clock: number): void {
    this.#need(client, clock + 1)
  }

  /** Clocks `clock` to `clock + length` of the current client are skipped: they must exist. */
  skip(clock: number, length: number): void {
    this.#need(this.#client, clock + length)
  }

  /** The update deletes clocks `clock` to `clock + length` of `client`. */
  delete(client: number, clock: number, length: number): void {
    this.#need(client, clock + length)
  }

  /**
   * An item of the current client at `clock`, placed by its left origin if it has one, else its
   * right origin (`beside` that item), else its parent (`root`, or `inside` a type item); and
   * whether its content is a shared type. `client`/`clock` of the place are ignored for `root`.
   */
  item(
    clock: number,
    length: number,
    placeKind: StructPlace['kind'],
    placeClient: number,
    placeClock: number,
    isType: boolean,
  ): void {
    const client = this.#client
    let runs = this.#runsOf.get(client)
    const last = runs?.at(-1)
    // Typing: the next character, right after the one before it, in the same parent.
    const continues =
      !isType &&
      last !== undefined &&
      !last.isType &&
      last.clock + last.length === clock &&
      placeKind === 'beside' &&
      placeClient === client &&
      placeClock === clock - 1
    if (continues) {
      last.length += length
      return
    }
    const place: StructPlace =
      placeKind === 'root' ? root : { kind: placeKind, client: placeClient, clock: placeClock }
    const run: Run = { clock, length, place, isType }
    if (!runs) this.#runsOf.set(client, (runs = []))
    runs.push(run)
    this.#runs.push(run)
    if (isType) this.#hasTypes = true
  }

  finish(): UpdateShape {
    return { ranges: this.#ranges, needs: this.#needs, nesting: () => this.#nesting() }
  }

  #need(client: number, clock: number): void {
    if ((this.#needs.get(client) ?? 0) < clock) this.#needs.set(client, clock)
  }

  #runAt(client: number, clock: number): Run | undefined {
    const runs = this.#runsOf.get(client)
    if (!runs) return undefined
    let low = 0
    let high = runs.length - 1
    while (low <= high) {
      const middle = (low + high) >> 1
      const run = runs[middle]!
      if (clock < run.clock) high = middle - 1
      else if (clock >= run.clock + run.length) low = middle + 1
      else return run
    }
    return undefined
  }

  #nesting(): NestingUnder[] {
    if (!this.#hasTypes) return []
    const resolved = new Map<Run, Resolved>()
    const deepest = new Map<string, NestingUnder>()
    for (const run of this.#runs) {
      if (!run.isType) continue
      const parent = this.#parentOf(run, resolved)
      const { place } = parent
      const key = place.kind === 'root' ? 'root' : `${place.kind}:${place.client}:${place.clock}`
      const levels = parent.levels + 1
      if ((deepest.get(key)?.levels ?? 0) < levels) deepest.set(key, { place, levels })
    }
    return [...deepest.values()]
  }

  // The parent type of `start`, as levels below a place outside the update. Iterative, as a
  // nesting chain may be as long as the update; a run that refers into a cycle, or to a parent
  // that is not a type, counts as placed outside the update (Yjs never integrates it).
  #parentOf(start: Run, resolved: Map<Run, Resolved>): Resolved {
    const chain: Run[] = []
    const inChain = new Set<Run>()
    let run = start
    while (!resolved.has(run)) {
      const { place } = run
      const next = place.kind === 'root' ? undefined : this.#runAt(place.client, place.clock)
      if (!next || next === run || inChain.has(next) || (place.kind === 'inside' && !next.isType)) {
        resolved.set(run, { place: place.kind === 'root' ? root : place, levels: 0 })
        break
      }
      chain.push(run)
      inChain.add(run)
      run = next
    }
    // `run` is resolved now, and each run of the chain refers to the one after it: beside an item
    // it has that item's parent, inside a type item it is one level below that item's parent.
    let referenced = resolved.get(run)!
    for (let i = chain.length - 1; i >= 0; i--) {
      const link = chain[i]!
      if (link.place.kind === 'inside') {
        referenced = { place: referenced.place, levels: referenced.levels + 1 }
      }
      resolved.set(link, referenced)
    }
    return resolved.get(start)!
  }
}
