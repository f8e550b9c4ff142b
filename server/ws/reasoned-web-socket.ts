// ws closes a connection that sends an oversized frame with code 1009 but no reason. This
// subclass (passed to WebSocketServer's `WebSocket` option) fills in a reason people can read.
import { WebSocket } from 'ws'
import { CloseCode } from '../../protocol/close-codes.js'

/** A WebSocket class whose reasonless 1009 closes say what the limit is. */
export function createReasonedWebSocketClass(maxFrameBytes: number): typeof WebSocket {
  return class ReasonedWebSocket extends WebSocket {
    override close(code?: number, reason?: string | Buffer): void {
      if (code === CloseCode.messageTooBig && reason === undefined) {
        super.close(code, `frame exceeds the ${maxFrameBytes}-byte limit`)
      } else {
        super.close(code, reason)
      }
    }
  }
}
