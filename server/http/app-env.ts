// What the router's handlers see of the Node request, shared by the router and its sub-apps.
import type { HttpBindings } from '@hono/node-server'
import type { UpgradeBindings } from './upgrade-bridge.js'

/** What the app's handlers see of the Node request: a plain request, or an upgrade. */
export type AppBindings = HttpBindings | UpgradeBindings

/** The router's environment. */
export interface AppEnv {
  Bindings: AppBindings
}
