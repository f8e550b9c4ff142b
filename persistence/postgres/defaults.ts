// The PostgreSQL store's defaults, in a module of their own so that the command line can show them
// without loading the PostgreSQL client. Imports nothing.

/** The schema of the store's tables unless the operator names another. */
export const defaultSchemaName = 'collab'

/** Connections open at most. Appends use one at a time; loads, listings and versions the rest. */
export const defaultPoolSize = 10

/** How long connecting may take before the call that needed the connection fails. */
export const defaultConnectTimeoutMs = 5_000

/** How long a statement may wait for its answer before it fails (and its connection is dropped). */
export const defaultQueryTimeoutMs = 60_000
