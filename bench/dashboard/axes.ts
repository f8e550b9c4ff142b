// Axis ticks of a panel: round value steps (1, 2, 5 × 10ⁿ in the unit's chosen scale, so bytes tick
// at whole MiB) and clock-aligned time steps labelled in UTC.
import type { Scale } from './units.js'
import { formatScaled, scaleFor } from './units.js'

/** A value axis: its top (the bottom is `min`), tick values and their labels. */
export interface ValueAxis {
  readonly min: number
  readonly max: number
  readonly ticks: ReadonlyArray<{ value: number; label: string }>
}

/** A value axis for data from `dataMin` to `dataMax` with about `count` ticks, in `unit`. */
export function valueAxis(
  dataMin: number,
  dataMax: number,
  unit: string,
  count: number,
): ValueAxis {
  const top = dataMax > dataMin ? dataMax : dataMin + 1
  const scale: Scale = scaleFor(unit, Math.max(Math.abs(dataMin), Math.abs(top)))
  const span = (top - dataMin) / scale.divisor
  const rough = span / Math.max(1, count)
  const power = 10 ** Math.floor(Math.log10(rough))
  const step = ([1, 2, 5, 10].find((factor) => factor * power >= rough) ?? 10) * power
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9))
  const first = Math.floor(dataMin / scale.divisor / step)
  const last = Math.ceil(top / scale.divisor / step - 1e-9)
  const ticks = []
  for (let i = first; i <= last; i++) {
    const value = i * step * scale.divisor
    ticks.push({ value, label: formatScaled(value, scale, decimals) })
  }
  return { min: first * step * scale.divisor, max: last * step * scale.divisor, ticks }
}

const timeSteps = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((seconds) => seconds * 1000)

/** Clock-aligned time ticks between `fromMs` and `toMs`, at least `minGapPx` apart over `widthPx`. */
export function timeTicks(
  fromMs: number,
  toMs: number,
  widthPx: number,
  minGapPx: number,
): Array<{ atMs: number; label: string }> {
  const msPerPx = (toMs - fromMs) / widthPx
  const step = timeSteps.find((candidate) => candidate / msPerPx >= minGapPx) ?? 3_600_000
  const ticks = []
  for (let atMs = Math.ceil(fromMs / step) * step; atMs <= toMs; atMs += step) {
    const clock = new Date(atMs).toISOString().slice(11, step < 60_000 ? 19 : 16)
    ticks.push({ atMs, label: clock })
  }
  return ticks
}
