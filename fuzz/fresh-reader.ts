// Loads a document as a new client would: open, sync step 1 with nothing, apply the sync step 2
// into a fresh Y.Doc. Used by the liveness probe and by the end checks.
import * as Y from 'yjs'
import { readAwarenessUpdate } from '../protocol/awareness-codec.js'
import { readClientMessage, writeSyncStep1 } from '../protocol/message.js'
import { openRoomSocket } from './room-socket.js'
import { withDeadline } from './deadlines.js'

/** A document as a fresh client loaded it, with the presence states it was greeted with. */
export interface LoadedDocument {
  readonly doc: Y.Doc
  /** Awareness states by client id, as JSON text, from every awareness frame received. */
  readonly presence: ReadonlyMap<number, string>
  readonly latencyMs: number
}

/** Loads `room`; rejects with what went wrong (no answer in time, a close, a bad state). */
export async function loadAsFreshClient(
  url: string,
  room: string,
  timeoutMs: number,
): Promise<LoadedDocument> {
  const startedAtMs = performance.now()
  const presence = new Map<number, string>()
  let state: Uint8Array | undefined
  let problem: string | undefined
  let onAnswer = (): void => undefined
  const receive = (frame: Uint8Array): void => {
    try {
      const message = readClientMessage(frame)
      if (message.kind === 'awareness') {
        for (const entry of readAwarenessUpdate(message.update)) {
          if (entry.stateJson === 'null') presence.delete(entry.clientId)
          else presence.set(entry.clientId, entry.stateJson)
        }
      } else if (message.kind === 'syncStep2') {
        state ??= message.update.slice()
        onAnswer()
      }
    } catch (error) {
      problem ??= `a server frame did not decode: ${(error as Error).message}`
    }
  }
  const connection = await openRoomSocket(url, room, receive, timeoutMs)
  try {
    connection.socket.send(writeSyncStep1(Uint8Array.of(0)))
    const answered = new Promise<void>((resolve) => (onAnswer = resolve))
    const closed = connection.closed.then((closed) => {
      throw new Error(`closed with ${closed.code} "${closed.reason}" before answering`)
    })
    await withDeadline(Promise.race([answered, closed]), timeoutMs, `sync step 2 from ${room}`)
  } finally {
    connection.socket.terminate()
  }
  if (problem) throw new Error(problem)
  const doc = new Y.Doc()
  try {
    Y.applyUpdate(doc, state!)
  } catch (error) {
    doc.destroy()
    throw new Error(`its state does not apply to a fresh Y.Doc: ${(error as Error).message}`, {
      cause: error,
    })
  }
  return { doc, presence, latencyMs: performance.now() - startedAtMs }
}
