// An observer that records the server's events with their arguments, so tests wait on what
// happened instead of polling the store or matching log text.
import type { CollabObserver } from '../../server/index.js'
import { until } from './until.js'

type EventName = keyof CollabObserver
/** The arguments an observer method receives for `Name`. */
type EventArgs<Name extends EventName> = Parameters<NonNullable<CollabObserver[Name]>>

const eventNames = [
  'updateStored',
  'awarenessChanged',
  'joined',
  'left',
  'loaded',
  'unloaded',
  'compacted',
  'storeFailed',
] as const satisfies readonly EventName[]

/** Records every event of a server or room (pass `observer` among its observers). */
export class RecordedEvents {
  // Every event's first argument is its room.
  readonly #events: Array<{ name: EventName; args: [string, ...unknown[]] }> = []
  readonly observer: CollabObserver = Object.fromEntries(
    eventNames.map((name) => [
      name,
      (...args: [string, ...unknown[]]) => this.#events.push({ name, args }),
    ]),
  )

  /** The arguments of every `name` event so far, oldest first. */
  of<Name extends EventName>(name: Name): Array<EventArgs<Name>> {
    return this.#events
      .filter((event) => event.name === name)
      .map((event) => event.args as EventArgs<Name>)
  }

  /** Forgets every event recorded so far (a test that measures memory keeps none). */
  clear(): void {
    this.#events.length = 0
  }

  /** Names of every event so far, in order. */
  names(): EventName[] {
    return this.#events.map((event) => event.name)
  }

  /** How many `name` events `room` has had. */
  count(name: EventName, room: string): number {
    return this.#events.filter((event) => event.name === name && event.args[0] === room).length
  }

  /** Waits until `room` has had at least `count` `name` events. */
  async waitFor(name: EventName, room: string, count = 1): Promise<void> {
    await until(() => this.count(name, room) >= count, {
      what: `${count} ${name} event(s) of ${JSON.stringify(room)}`,
    })
  }
}
