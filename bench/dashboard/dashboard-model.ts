// Reads docs/grafana-dashboard.json into what the renderer draws: rows and time-series panels
// with their grid positions, units, legends, overrides and queries, and the template variables.
// A field the renderer would silently ignore (another panel type, an unknown override) is refused.
import { knownUnits } from './units.js'

/** A panel's place on Grafana's grid: 24 columns wide, rows of 30 px plus margins. */
export interface GridPos {
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
}

/** One query of a panel: a PromQL expression and how its series are named. */
export interface Target {
  readonly expr: string
  /** `{{label}}` stands for the label's value. */
  readonly legendFormat: string
}

/** Field settings for the series whose display name is `name` (Grafana's byName matcher). */
export interface Override {
  readonly name: string
  readonly displayName?: string
  readonly color?: string
  readonly lineWidth?: number
  readonly unit?: string
  readonly axisPlacement?: 'left' | 'right'
}

/** A time-series panel. */
export interface TimeseriesPanel {
  readonly type: 'timeseries'
  readonly title: string
  readonly gridPos: GridPos
  readonly unit: string
  readonly min: number | undefined
  readonly lineWidth: number
  /** 0–100: how opaque the area under each line is. */
  readonly fillOpacity: number
  /** Legend values per series: `max`, `mean`, `lastNotNull`. */
  readonly calcs: readonly string[]
  readonly targets: readonly Target[]
  readonly overrides: readonly Override[]
}

/** A row header. */
export interface RowPanel {
  readonly type: 'row'
  readonly title: string
  readonly gridPos: GridPos
}

/** A query variable; the renderer shows its "All" value. */
export interface Variable {
  readonly name: string
  readonly label: string
  readonly allValue: string
}

/** The dashboard as the renderer needs it. */
export interface DashboardModel {
  readonly title: string
  readonly panels: ReadonlyArray<TimeseriesPanel | RowPanel>
  readonly variables: readonly Variable[]
}

/** Legend calculations the renderer can show. */
const knownCalcs = new Set(['max', 'mean', 'lastNotNull'])

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function field<T>(object: Json, key: string, check: (value: unknown) => value is T, where: string) {
  const value = object[key]
  if (!check(value)) throw new TypeError(`${where}: "${key}" is missing or malformed`)
  return value
}

const isString = (value: unknown): value is string => typeof value === 'string'
const isNumber = (value: unknown): value is number => typeof value === 'number'
const isArray = (value: unknown): value is unknown[] => Array.isArray(value)

function readGridPos(value: unknown, where: string): GridPos {
  const object = isObject(value) ? value : {}
  const read = (key: string): number => field(object, key, isNumber, `${where} gridPos`)
  return { x: read('x'), y: read('y'), w: read('w'), h: read('h') }
}

function readOverride(value: unknown, where: string): Override {
  const object = isObject(value) ? value : {}
  const matcher = isObject(object.matcher) ? object.matcher : {}
  if (matcher.id !== 'byName') throw new TypeError(`${where}: only byName overrides are drawn`)
  const override: { -readonly [K in keyof Override]: Override[K] } = {
    name: field(matcher, 'options', isString, where),
  }
  for (const property of field(object, 'properties', isArray, where)) {
    const { id, value: setting } = isObject(property) ? property : {}
    if (id === 'displayName' && isString(setting)) override.displayName = setting
    else if (id === 'unit' && isString(setting) && knownUnits.has(setting)) override.unit = setting
    else if (id === 'custom.lineWidth' && isNumber(setting)) override.lineWidth = setting
    else if (id === 'custom.axisPlacement' && (setting === 'left' || setting === 'right'))
      override.axisPlacement = setting
    else if (id === 'color' && isObject(setting) && isString(setting.fixedColor))
      override.color = setting.fixedColor
    else throw new TypeError(`${where}: cannot draw override property ${JSON.stringify(property)}`)
  }
  return override
}

function readPanel(value: unknown): TimeseriesPanel | RowPanel {
  const panel = isObject(value) ? value : {}
  const title = field(panel, 'title', isString, 'a panel')
  const where = `panel "${title}"`
  const gridPos = readGridPos(panel.gridPos, where)
  if (panel.type === 'row') return { type: 'row', title, gridPos }
  if (panel.type !== 'timeseries') throw new TypeError(`${where}: only timeseries panels are drawn`)
  const fieldConfig = isObject(panel.fieldConfig) ? panel.fieldConfig : {}
  const defaults = isObject(fieldConfig.defaults) ? fieldConfig.defaults : {}
  const custom = isObject(defaults.custom) ? defaults.custom : {}
  const options = isObject(panel.options) ? panel.options : {}
  const legend = isObject(options.legend) ? options.legend : {}
  const unit = field(defaults, 'unit', isString, where)
  if (!knownUnits.has(unit)) throw new TypeError(`${where}: unit "${unit}" is not drawn`)
  const calcs = (isArray(legend.calcs) ? legend.calcs : []).filter(isString)
  const unknownCalc = calcs.find((calc) => !knownCalcs.has(calc))
  if (unknownCalc) throw new TypeError(`${where}: legend calculation ${unknownCalc} is not drawn`)
  return {
    type: 'timeseries',
    title,
    gridPos,
    unit,
    min: isNumber(defaults.min) ? defaults.min : undefined,
    lineWidth: isNumber(custom.lineWidth) ? custom.lineWidth : 1,
    fillOpacity: isNumber(custom.fillOpacity) ? custom.fillOpacity : 0,
    calcs,
    targets: field(panel, 'targets', isArray, where).map((target) => {
      const object = isObject(target) ? target : {}
      return {
        expr: field(object, 'expr', isString, where),
        legendFormat: field(object, 'legendFormat', isString, where),
      }
    }),
    overrides: (isArray(fieldConfig.overrides) ? fieldConfig.overrides : []).map((override) =>
      readOverride(override, where),
    ),
  }
}

/** Reads a dashboard's JSON; throws TypeError, naming the panel, for what cannot be drawn. */
export function readDashboard(json: unknown): DashboardModel {
  const dashboard = isObject(json) ? json : {}
  const templating = isObject(dashboard.templating) ? dashboard.templating : {}
  return {
    title: field(dashboard, 'title', isString, 'the dashboard'),
    panels: field(dashboard, 'panels', isArray, 'the dashboard').map(readPanel),
    variables: (isArray(templating.list) ? templating.list : []).map((value) => {
      const variable = isObject(value) ? value : {}
      const name = field(variable, 'name', isString, 'a variable')
      if (variable.includeAll !== true) {
        throw new TypeError(`variable ${name}: only variables with an "All" value are drawn`)
      }
      return {
        name,
        label: isString(variable.label) ? variable.label : name,
        allValue: field(variable, 'allValue', isString, `variable ${name}`),
      }
    }),
  }
}

/** `expr` with `$name` and `${name}` of every variable replaced by its "All" value. */
export function interpolate(expr: string, variables: readonly Variable[]): string {
  return variables.reduce(
    (text, { name, allValue }) =>
      text.replace(new RegExp(`\\$\\{${name}\\}|\\$${name}\\b`, 'g'), () => allValue),
    expr,
  )
}
