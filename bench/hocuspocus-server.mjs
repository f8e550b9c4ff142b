// Starts @hocuspocus/server with its SQLite extension (a file database), as the benchmark runs
// it: its own process, listening on $HOST:$PORT, database at $DATABASE. Plain JavaScript run as
// it is, so that it resolves Hocuspocus from bench/node_modules and the repository's typecheck
// does not need the peers installed (bench/peers.ts).
import { env } from 'node:process'
import { SQLite } from '@hocuspocus/extension-sqlite'
import { Server } from '@hocuspocus/server'

const server = new Server({
  port: Number(env.PORT),
  address: env.HOST ?? '127.0.0.1',
  quiet: true,
  extensions: [new SQLite({ database: env.DATABASE ?? 'bench.sqlite' })],
})

await server.listen()
