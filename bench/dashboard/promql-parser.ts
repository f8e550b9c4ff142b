// Parses the part of PromQL that docs/grafana-dashboard.json uses: selectors with `=` and `=~`
// matchers, rate() over a range, sum with or without `by`, histogram_quantile(), vector() and `or`.
// Anything else is a SyntaxError, so a dashboard expression beyond the subset cannot go unnoticed.

/** A label matcher: `label="value"` or `label=~"regex"` (anchored, as in Prometheus). */
export interface Matcher {
  readonly label: string
  readonly operator: '=' | '=~'
  readonly value: string
}

/** A parsed expression; every one evaluates to an instant vector. */
export type Expr =
  | { readonly kind: 'selector'; readonly name: string; readonly matchers: readonly Matcher[] }
  | { readonly kind: 'rate'; readonly selector: Selector; readonly rangeMs: number }
  | { readonly kind: 'sum'; readonly by: readonly string[] | null; readonly arg: Expr }
  | { readonly kind: 'histogramQuantile'; readonly quantile: number; readonly arg: Expr }
  | { readonly kind: 'vector'; readonly value: number }
  | { readonly kind: 'or'; readonly left: Expr; readonly right: Expr }

/** A plain series selector. */
export type Selector = Extract<Expr, { kind: 'selector' }>

const tokenPattern =
  /\s*(?:(?<number>\d+(?:\.\d+)?(?:e[+-]?\d+)?)|(?<duration>\[\d+(?:ms|s|m|h)\])|(?<string>"(?:[^"\\]|\\.)*")|(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)|(?<punct>=~|[(){},=]))/y

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

type Token = { type: 'number' | 'duration' | 'string' | 'name' | 'punct'; text: string }

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  tokenPattern.lastIndex = 0
  while (tokenPattern.lastIndex < text.trimEnd().length) {
    const at = tokenPattern.lastIndex
    const match = tokenPattern.exec(text)
    const found = match?.groups && Object.entries(match.groups).find(([, value]) => value)
    if (!found) throw new SyntaxError(`cannot read "${text.slice(at)}" in ${text}`)
    tokens.push({ type: found[0] as Token['type'], text: found[1] })
  }
  return tokens
}

/** Parses `text`; throws SyntaxError for anything outside the subset. */
export function parsePromql(text: string): Expr {
  const tokens = tokenize(text)
  let at = 0
  const peek = (): Token | undefined => tokens[at]
  const fail = (expected: string): never => {
    const found = peek()?.text ?? 'the end'
    throw new SyntaxError(`expected ${expected}, found ${found} in ${text}`)
  }
  const take = (type: Token['type'], textWanted?: string): string => {
    const token = peek()
    if (!token || token.type !== type || (textWanted !== undefined && token.text !== textWanted))
      return fail(textWanted ?? type)
    at++
    return token.text
  }
  const isNext = (textWanted: string): boolean => peek()?.text === textWanted

  const grouping = (): string[] => {
    take('name', 'by')
    take('punct', '(')
    const labels = [take('name')]
    while (isNext(',')) {
      take('punct', ',')
      labels.push(take('name'))
    }
    take('punct', ')')
    return labels
  }
  const selector = (): Selector => {
    const name = take('name')
    const matchers: Matcher[] = []
    if (isNext('{')) {
      take('punct', '{')
      while (!isNext('}')) {
        const label = take('name')
        const operator = isNext('=~') ? '=~' : '='
        take('punct', operator)
        matchers.push({ label, operator, value: JSON.parse(take('string')) as string })
        if (!isNext('}')) take('punct', ',')
      }
      take('punct', '}')
    }
    return { kind: 'selector', name, matchers }
  }
  const call = (name: string): Expr => {
    take('punct', '(')
    let expr: Expr
    switch (name) {
      case 'rate': {
        const inner = selector()
        const [, amount = '', unit = ''] = /^\[(\d+)(\w+)\]$/.exec(take('duration')) ?? []
        expr = { kind: 'rate', selector: inner, rangeMs: Number(amount) * (unitMs[unit] ?? NaN) }
        break
      }
      case 'histogram_quantile': {
        const quantile = Number(take('number'))
        take('punct', ',')
        expr = { kind: 'histogramQuantile', quantile, arg: or() }
        break
      }
      case 'vector':
        expr = { kind: 'vector', value: Number(take('number')) }
        break
      default:
        return fail('rate, histogram_quantile or vector')
    }
    take('punct', ')')
    return expr
  }
  const unary = (): Expr => {
    const name = peek()?.type === 'name' ? (peek() as Token).text : fail('an expression')
    if (name === 'sum') {
      at++
      const before = isNext('by') ? grouping() : null
      take('punct', '(')
      const arg = or()
      take('punct', ')')
      const by = before ?? (isNext('by') ? grouping() : null)
      return { kind: 'sum', by, arg }
    }
    if (tokens[at + 1]?.text === '(') {
      at++
      return call(name)
    }
    return selector()
  }
  const or = (): Expr => {
    let left = unary()
    while (isNext('or')) {
      at++
      left = { kind: 'or', left, right: unary() }
    }
    return left
  }

  const expr = or()
  if (at < tokens.length) fail('the end')
  return expr
}

/** The metric names `expr` selects, in order of appearance. */
export function metricNames(expr: Expr): string[] {
  switch (expr.kind) {
    case 'selector':
      return [expr.name]
    case 'rate':
      return [expr.selector.name]
    case 'sum':
    case 'histogramQuantile':
      return metricNames(expr.arg)
    case 'vector':
      return []
    case 'or':
      return [...metricNames(expr.left), ...metricNames(expr.right)]
  }
}
