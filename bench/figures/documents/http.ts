// HTTP calls and timings for document-figures.ts: a request that fails loudly on any status it
// was not told to expect, repetitions summarised as median and p95, and a bounded-concurrency map.

/** A whole reply: its status and body. */
export interface Reply {
  status: number
  body: Uint8Array
  /** Wall time from sending the request to the last byte of the body. */
  ms: number
}

/** Options of `request`. */
export interface RequestOptions {
  method?: string
  body?: string | Uint8Array
  headers?: Record<string, string>
  /** The statuses that are not an error; [200] unless given. */
  expect?: readonly number[]
  timeoutMs?: number
}

/** Sends one request and reads the whole body; throws on a status outside `expect`. */
export async function request(url: string, options: RequestOptions = {}): Promise<Reply> {
  const { method = 'GET', body, headers, expect = [200], timeoutMs = 60_000 } = options
  const startedAt = performance.now()
  const response = await fetch(url, {
    method,
    body,
    headers,
    signal: AbortSignal.timeout(timeoutMs),
  })
  const bytes = new Uint8Array(await response.arrayBuffer())
  const ms = performance.now() - startedAt
  if (!expect.includes(response.status)) {
    const text = new TextDecoder().decode(bytes.subarray(0, 500))
    throw new Error(
      `${method} ${url}: expected ${expect.join('/')}, got ${response.status} ${text}`,
    )
  }
  return { status: response.status, body: bytes, ms }
}

/** The body of a reply read as JSON. */
export const jsonOf = <T>(reply: Reply): T => JSON.parse(new TextDecoder().decode(reply.body)) as T

/** The body of a reply read as text. */
export const textOf = (reply: Reply): string => new TextDecoder().decode(reply.body)

/** Sends a JSON body with its Content-Type. */
export const jsonBody = (value: unknown): RequestOptions => ({
  body: JSON.stringify(value),
  headers: { 'content-type': 'application/json' },
})

/** Median and p95 (nearest rank) of some durations in ms. */
export interface Summary {
  count: number
  medianMs: number
  p95Ms: number
}

/** Summarises durations: the median and the nearest-rank 95th percentile. */
export function summarise(durationsMs: readonly number[]): Summary {
  if (durationsMs.length === 0) throw new Error('nothing to summarise')
  const sorted = [...durationsMs].sort((a, b) => a - b)
  const middle = sorted.length / 2
  const medianMs = Number.isInteger(middle)
    ? (sorted[middle - 1]! + sorted[middle]!) / 2
    : sorted[Math.floor(middle)]!
  const p95Ms = sorted[Math.ceil(0.95 * sorted.length) - 1]!
  return { count: sorted.length, medianMs, p95Ms }
}

/**
 * Runs `task` over `items`, at most `concurrency` at a time, and resolves with the results in
 * order; the first failure rejects (tasks already started still finish).
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index]!, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results
}

/** Milliseconds with one decimal below 100, whole above. */
export const formatMs = (ms: number): string =>
  ms < 100 ? ms.toFixed(1) : Math.round(ms).toString()

/** Bytes as B, KiB or MiB with one decimal. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** A Markdown table. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}
