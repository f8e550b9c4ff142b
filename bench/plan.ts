// Which measurements a run takes: the parameter sets of each scenario for a quick or a full run,
// overridable from the command line with --sizes.
import type { Params, ScenarioName } from './scenarios/types.js'

/** Parameter values per scenario; a key with several values multiplies the variants. */
type ParamGrid = Record<string, number[]>

const fullGrid: Record<ScenarioName, ParamGrid> = {
  fanout: { rate: [50, 200], receivers: [10, 50, 200], durationMs: [5000] },
  'many-rooms': { rooms: [1000], durationMs: [8000] },
  idle: { connections: [10_000], rooms: [500], idleMs: [3000] },
  churn: { cycles: [3], rooms: [1000], idleMs: [25_000] },
  'cold-load': { chars: [100_000], trace: [1] },
  'trace-replay': { txns: [0], turn: [100] },
}

const quickGrid: Record<ScenarioName, ParamGrid> = {
  fanout: { rate: [200], receivers: [50], durationMs: [600] },
  'many-rooms': { rooms: [100], durationMs: [600] },
  idle: { connections: [500], rooms: [25], idleMs: [200] },
  churn: { cycles: [2], rooms: [50], idleMs: [1000] },
  'cold-load': { chars: [100_000], trace: [0] },
  'trace-replay': { txns: [5000], turn: [100] },
}

/** One parameter set of a scenario. */
export interface Variant {
  scenario: ScenarioName
  /** The parameters that vary between this scenario's variants, e.g. "rate=50 receivers=10". */
  label: string
  params: Params
}

/**
 * Parses --sizes: comma-separated `key=value` pairs, several values joined by `/`
 * (`receivers=10/50,durationMs=3000`). A key applies to every scenario that has it.
 */
export function parseSizes(text: string | undefined): ParamGrid {
  const grid: ParamGrid = {}
  for (const pair of (text ?? '').split(',').filter(Boolean)) {
    const [key, values] = pair.split('=')
    const numbers = (values ?? '').split('/').map(Number)
    if (!key || numbers.length === 0 || numbers.some((n) => !Number.isFinite(n))) {
      throw new RangeError(`--sizes: cannot read "${pair}"; expected key=value or key=v1/v2`)
    }
    grid[key] = numbers
  }
  return grid
}

function expand(grid: ParamGrid): Params[] {
  return Object.entries(grid).reduce<Params[]>(
    (sets, [key, values]) =>
      sets.flatMap((set) => values.map((value) => ({ ...set, [key]: value }))),
    [{}],
  )
}

/** The variants of `scenario`, with `overrides` replacing the values of the keys it has. */
export function planVariants(
  scenario: ScenarioName,
  isQuick: boolean,
  overrides: ParamGrid,
): Variant[] {
  const base = (isQuick ? quickGrid : fullGrid)[scenario]
  const grid: ParamGrid = {}
  for (const [key, values] of Object.entries(base)) grid[key] = overrides[key] ?? values
  const varying = Object.keys(grid).filter((key) => (grid[key] ?? []).length > 1)
  return expand(grid).map((params) => ({
    scenario,
    label: varying.map((key) => `${key}=${params[key]}`).join(' ') || 'default',
    params,
  }))
}
