// Grafana's value formats for the units docs/grafana-dashboard.json uses: a value scaled to a
// readable prefix (K, MiB, ms, …) with the unit's suffix, as Grafana labels axes and legends.

/** How values of one magnitude are shown: divided by `divisor`, followed by `suffix`. */
export interface Scale {
  readonly divisor: number
  readonly suffix: string
}

const counts = ['', ' K', ' Mil', ' Bil', ' Tri']
const si = [' ', ' k', ' M', ' G', ' T']
const iec = [' ', ' Ki', ' Mi', ' Gi', ' Ti']

// Grafana's throughput units: a count scaled like `short`, then the unit's symbol.
const countSymbols: Record<string, string> = {
  mps: 'msg/s',
  cps: 'c/s',
  ops: 'ops/s',
  reqps: 'req/s',
}

/** The largest step of `base` (1000 or 1024) at or below `magnitude`, and its prefix. */
function prefixScale(magnitude: number, base: number, prefixes: string[], unit: string): Scale {
  let power = 0
  while (power < prefixes.length - 1 && magnitude >= base ** (power + 1)) power++
  return { divisor: base ** power, suffix: `${prefixes[power] ?? ''}${unit}` }
}

function secondsScale(magnitude: number): Scale {
  if (magnitude > 0 && magnitude < 0.001) return { divisor: 1e-6, suffix: ' µs' }
  if (magnitude < 1) return { divisor: 0.001, suffix: ' ms' }
  if (magnitude < 60) return { divisor: 1, suffix: ' s' }
  if (magnitude < 3600) return { divisor: 60, suffix: ' min' }
  return { divisor: 3600, suffix: ' hour' }
}

/** Units the renderer can format; a dashboard using another is refused. */
export const knownUnits = new Set([
  'short',
  'bytes',
  'Bps',
  's',
  'percentunit',
  ...Object.keys(countSymbols),
])

/** The scale Grafana would pick in `unit` for values about `magnitude` (≥ 0). */
export function scaleFor(unit: string, magnitude: number): Scale {
  const symbol = countSymbols[unit]
  if (symbol) return prefixScale(magnitude, 1000, counts, ` ${symbol}`)
  switch (unit) {
    case 'short':
      return prefixScale(magnitude, 1000, counts, '')
    case 'bytes':
      return prefixScale(magnitude, 1024, iec, 'B')
    case 'Bps':
      return prefixScale(magnitude, 1000, si, 'B/s')
    case 's':
      return secondsScale(magnitude)
    case 'percentunit':
      return { divisor: 0.01, suffix: '%' }
    default:
      throw new RangeError(`unit "${unit}" is not one the renderer formats`)
  }
}

/** `value` in `scale` with `decimals` decimals. */
export function formatScaled(value: number, scale: Scale, decimals: number): string {
  return `${(value / scale.divisor).toFixed(decimals)}${scale.suffix}`
}

/** A single value (a legend's max, say) in `unit`: about three significant digits, no trailing zeros. */
export function formatValue(value: number, unit: string): string {
  const scale = scaleFor(unit, Math.abs(value))
  const scaled = Math.abs(value / scale.divisor)
  const decimals = scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2
  const digits = (value / scale.divisor)
    .toFixed(decimals)
    .replace(/\.(\d*?)0+$/, (_, kept: string) => (kept ? `.${kept}` : ''))
  return `${digits}${scale.suffix}`
}
