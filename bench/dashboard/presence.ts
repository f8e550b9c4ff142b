// Viewers with presence: connections that sync a document and share an awareness state (a user
// name and a cursor that moves once a second), as an editor's provider does, so that the
// awareness panels have states and traffic to show. Plain sockets, not y-websocket providers:
// each provider adds a process exit listener, and thirty of them trip Node's leak warning.
import WebSocket from 'ws'
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { writeAwareness, writeSyncStep1 } from '../../protocol/message.js'

/** A group of viewers; `stop` withdraws their states and closes their connections. */
export interface Presence {
  stop(): void
}

function openViewer(baseUrl: string, room: string, name: string) {
  const doc = new Y.Doc()
  const awareness = new Awareness(doc)
  const socket = new WebSocket(`${baseUrl}/${encodeURIComponent(room)}`, {
    perMessageDeflate: false,
  })
  socket.on('error', () => undefined)
  // Every change of the local state, and y-protocols' renewal of it, goes to the server.
  const announce = (): void => {
    if (socket.readyState !== WebSocket.OPEN) return
    socket.send(writeAwareness(encodeAwarenessUpdate(awareness, [doc.clientID])))
  }
  awareness.on('update', announce)
  socket.once('open', () => {
    socket.send(writeSyncStep1(Y.encodeStateVector(doc)))
    announce()
  })
  awareness.setLocalStateField('user', { name })
  return { doc, awareness, socket }
}

/** Opens `viewers` viewers spread over `rooms` rooms named `prefix-…` at `baseUrl`. */
export function startPresence(
  baseUrl: string,
  prefix: string,
  viewers: number,
  rooms: number,
): Presence {
  const opened = Array.from({ length: viewers }, (_, index) =>
    openViewer(baseUrl, `${prefix}-${index % rooms}`, `viewer ${index}`),
  )
  let tick = 0
  const timer = setInterval(() => {
    tick++
    opened.forEach(({ awareness }, index) =>
      awareness.setLocalStateField('cursor', { index: tick + index }),
    )
  }, 1000)
  return {
    stop() {
      clearInterval(timer)
      for (const { doc, awareness, socket } of opened) {
        // Destroying the awareness announces its state's removal before the socket closes.
        awareness.destroy()
        socket.close()
        doc.destroy()
      }
    },
  }
}
