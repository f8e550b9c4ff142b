// Access logs: one structured line per upgrade (accepted or refused) and per closed connection,
// with the document, the user when known, the client's address and what the connection carried.
// Never a token: principals hold none, and the logger redacts what looks like one.
import { anonymousUserId } from './auth.js'
import type { CollabObserver, ConnectionOrigin } from './events.js'
import type { Logger } from './logger.js'

const who = (connection: ConnectionOrigin) => ({
  connectionId: connection.connectionId,
  ...(connection.principal.userId !== anonymousUserId && { userId: connection.principal.userId }),
  clientAddress: connection.clientAddress,
})

/** The observer that writes access lines to `logger` at level info. */
export function accessLog(logger: Logger): CollabObserver {
  const log = logger.child({ log: 'access' })
  return {
    joined: (room, connection) =>
      log.info({ event: 'upgrade', status: 101, room, ...who(connection) }, 'connection opened'),
    upgradeRefused: (refusal) =>
      log.info(
        {
          event: 'upgrade',
          status: refusal.status,
          error: refusal.error,
          room: refusal.document,
          clientAddress: refusal.clientAddress,
          durationMs: Math.round(refusal.durationMs),
        },
        'upgrade refused',
      ),
    connectionClosed: (room, summary) =>
      log.info(
        {
          event: 'close',
          room,
          ...who(summary.connection),
          code: summary.code,
          durationMs: Math.round(summary.durationMs),
          messagesReceived: summary.messagesReceived,
          bytesReceived: summary.bytesReceived,
          messagesSent: summary.messagesSent,
          bytesSent: summary.bytesSent,
        },
        'connection closed',
      ),
  }
}
