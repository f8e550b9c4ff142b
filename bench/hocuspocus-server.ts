// Starts @hocuspocus/server with its SQLite extension (a file database), as the benchmark runs
// it: its own process, listening on $HOST:$PORT, database at $DATABASE.
import { SQLite } from '@hocuspocus/extension-sqlite'
import { Server } from '@hocuspocus/server'

const server = new Server({
  port: Number(process.env.PORT),
  address: process.env.HOST ?? '127.0.0.1',
  quiet: true,
  extensions: [new SQLite({ database: process.env.DATABASE ?? 'bench.sqlite' })],
})

await server.listen()
