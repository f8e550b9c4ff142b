// Reads the Prometheus text exposition format (version 0.0.4, what prom-client's
// `registry.metrics()` writes and GET /metrics serves) into samples and metric families.
// prom-client only writes the format; the dashboard recorder needs to read it back.

/** Label names to values of one series; `__name__` is never among them. */
export type Labels = Readonly<Record<string, string>>

/** One sample line: the series it belongs to and its value. */
export interface Sample {
  readonly name: string
  readonly labels: Labels
  readonly value: number
}

/** One scrape's worth of metrics. */
export interface Exposition {
  readonly samples: readonly Sample[]
  /**
   * Metric family name → type (`counter`, `gauge`, `histogram`, `summary`, `untyped`), from the
   * `# TYPE` lines: a labelled counter never incremented has a family but no samples yet.
   */
  readonly families: ReadonlyMap<string, string>
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*/
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*/
const escapes: Record<string, string> = { '\\': '\\', '"': '"', n: '\n' }

/** Reads a sample value as Go's ParseFloat does: a float, or Inf and NaN in any case. */
function readValue(text: string, lineNumber: number): number {
  if (/^\+?inf(inity)?$/i.test(text)) return Infinity
  if (/^-inf(inity)?$/i.test(text)) return -Infinity
  // prom-client writes NaN as "Nan".
  if (/^nan$/i.test(text)) return NaN
  const value = Number(text)
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) || Number.isNaN(value)) {
    throw new SyntaxError(`line ${lineNumber}: "${text}" is not a sample value`)
  }
  return value
}

/** Reads `{name="value",…}` at the start of `text`; returns the labels and the rest of the line. */
function readLabels(text: string, lineNumber: number): { labels: Labels; rest: string } {
  const labels: Record<string, string> = {}
  let at = 1
  const fail = (what: string): never => {
    throw new SyntaxError(`line ${lineNumber}: expected ${what} in the labels`)
  }
  const skipSpaces = (): void => {
    while (text[at] === ' ' || text[at] === '\t') at++
  }
  for (skipSpaces(); text[at] !== '}'; skipSpaces()) {
    const name = labelName.exec(text.slice(at))?.[0] ?? fail('a label name')
    at += name.length
    skipSpaces()
    if (text[at] !== '=') fail(`"=" after ${name}`)
    at++
    skipSpaces()
    if (text[at] !== '"') fail(`a quoted value for ${name}`)
    at++
    let value = ''
    for (let char = text[at++]; char !== '"'; char = text[at++]) {
      if (char === undefined) fail('a closing quote')
      else if (char !== '\\') value += char
      else value += escapes[text[at++] ?? ''] ?? fail('a known escape (\\\\, \\", \\n)')
    }
    labels[name] = value
    skipSpaces()
    if (text[at] === ',') at++
    else if (text[at] !== '}') fail('"," or "}"')
  }
  return { labels, rest: text.slice(at + 1) }
}

/** Parses one exposition. Throws SyntaxError, naming the line, on a malformed sample line. */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = []
  const families = new Map<string, string>()
  text.split('\n').forEach((rawLine, index) => {
    const line = rawLine.trim()
    const lineNumber = index + 1
    if (line === '') return
    if (line.startsWith('#')) {
      const [, keyword, family, type] = line.split(/\s+/)
      if (keyword === 'TYPE' && family && type) families.set(family, type)
      return
    }
    const name = metricName.exec(line)?.[0]
    if (!name) throw new SyntaxError(`line ${lineNumber}: expected a metric name`)
    let rest = line.slice(name.length).trimStart()
    let labels: Labels = {}
    if (rest.startsWith('{')) ({ labels, rest } = readLabels(rest, lineNumber))
    // An optional timestamp may follow the value; a scrape's own time stands for all its samples.
    const [value = ''] = rest.trim().split(/\s+/)
    samples.push({ name, labels, value: readValue(value, lineNumber) })
  })
  return { samples, families }
}
