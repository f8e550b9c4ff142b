// Whether the document store works, as the server sees it: failing from a store call that failed
// until a write succeeds. While it fails, documents that are not open are refused (503) rather
// than opened for writes that cannot be kept, and /healthz says so; to learn when the store works
// again without anyone writing, a small record is written once a second.
import type { DocStore } from '../persistence/store.js'
import type { CollabObserver, StoreOperation } from './events.js'
import type { Logger } from './logger.js'

/** What /healthz reports of the store. */
export type StoreStatus =
  | { readonly status: 'ok' }
  | {
      readonly status: 'failing'
      /** When it started failing, ISO 8601. */
      readonly since: string
      readonly operation: StoreOperation | 'probe'
      readonly error: string
    }

/** The record the probe writes (persistence/README.md). */
export const probeRecord = 'health-probe'
const probeIntervalMs = 1_000

/** Watches the store through the server's events; `close` stops its probe. */
export class StoreHealth implements CollabObserver {
  readonly #store: DocStore
  readonly #logger: Logger
  #status: StoreStatus = { status: 'ok' }
  #probe: NodeJS.Timeout | undefined

  constructor(store: DocStore, logger: Logger) {
    this.#store = store
    this.#logger = logger
  }

  get isFailing(): boolean {
    return this.#status.status === 'failing'
  }

  get status(): StoreStatus {
    return this.#status
  }

  storeFailed(_room: string, operation: StoreOperation, error: unknown): void {
    this.#failed(operation, error)
  }

  updateStored(): void {
    if (this.isFailing) this.#recovered()
  }

  compacted(): void {
    if (this.isFailing) this.#recovered()
  }

  close(): void {
    clearTimeout(this.#probe)
    this.#probe = undefined
  }

  #failed(operation: StoreOperation | 'probe', error: unknown): void {
    if (this.isFailing) return
    const message = error instanceof Error ? error.message : String(error)
    this.#status = { status: 'failing', since: new Date().toISOString(), operation, error: message }
    this.#logger.error(
      { operation, err: error },
      'the document store is failing: documents not open are refused until a write succeeds',
    )
    this.#scheduleProbe()
  }

  #recovered(): void {
    this.close()
    const { since } = this.#status as { since: string }
    this.#status = { status: 'ok' }
    this.#logger.info({ failingSince: since }, 'the document store works again')
  }

  #scheduleProbe(): void {
    this.#probe = setTimeout(() => {
      this.#probe = undefined
      const stamp = new TextEncoder().encode(new Date().toISOString())
      this.#store.writeRecord(probeRecord, stamp).then(
        () => {
          if (this.isFailing) this.#recovered()
        },
        () => {
          if (this.isFailing) this.#scheduleProbe()
        },
      )
    }, probeIntervalMs)
    this.#probe.unref()
  }
}
