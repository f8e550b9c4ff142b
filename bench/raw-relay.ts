// The raw relay: rooms by URL path, every frame re-sent to the room's other connections, no Yjs
// and no storage. The floor under any relay. Run as its own process; listens on $HOST:$PORT.
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'
import type { WebSocket } from 'ws'

const rooms = new Map<string, Set<WebSocket>>()
const httpServer = createServer((_request, response) => response.writeHead(404).end())
const webSocketServer = new WebSocketServer({ server: httpServer, perMessageDeflate: false })

webSocketServer.on('connection', (socket, request) => {
  const path = request.url ?? '/'
  let room = rooms.get(path)
  if (!room) {
    room = new Set()
    rooms.set(path, room)
  }
  const members = room
  members.add(socket)
  socket.on('message', (data, isBinary) => {
    for (const member of members) if (member !== socket) member.send(data, { binary: isBinary })
  })
  socket.on('error', () => socket.terminate())
  socket.on('close', () => {
    members.delete(socket)
    if (members.size === 0) rooms.delete(path)
  })
})

httpServer.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
