// One hostile connection: opens a socket to the burst's document, waits for the server's greeting,
// sends every frame of the burst at once, then a sync step 1 of its own (the probe), and records
// how the connection ended. Judging what it saw is fuzz/burst-verdict.ts's job.
//
// Hostile connections come from another loopback address than the writers: without
// authentication the server takes a connection from the same address for a reconnect of the same
// client, which may take its awareness ids over (server/rooms/room-presence.ts).
import { readClientMessage, writeSyncStep1 } from '../protocol/message.js'
import type { Frame } from './expectation.js'
import { type Closed, type RoomSocket, openRoomSocket } from './room-socket.js'
import { withDeadline } from './deadlines.js'

/** What one burst's connection saw. */
export type BurstObservation =
  | { readonly phase: 'open'; readonly error: string }
  | { readonly phase: 'greeting'; readonly error: string; readonly closed?: Closed }
  | {
      readonly phase: 'done'
      /** Sync step 2 frames received: one per sync step 1 the server read, the probe's included. */
      readonly answers: number
      /** How the server closed the connection, if it did before the fuzzer closed it. */
      readonly closedByServer?: Closed
      /** How the connection ended after the fuzzer closed it (the server's own close may race it). */
      readonly closedAtEnd?: Closed
      /** Neither a close nor the probe's answer came within the deadline. */
      readonly isHung: boolean
      /** Server frames that did not decode, or were not what a server sends. */
      readonly badServerFrames: number
    }

/** The address hostile connections come from (all of 127.0.0.0/8 is loopback on Linux). */
export const hostileAddress = '127.0.0.2'

/** Runs one burst against the server at `url`; `expectedAnswers` counts the burst's step 1s. */
export async function runHostileConnection(
  url: string,
  room: string,
  frames: readonly Frame[],
  expectedAnswers: number,
  deadlineMs: number,
): Promise<BurstObservation> {
  let greeting: Uint8Array | undefined
  let answers = 0
  let badServerFrames = 0
  let onProgress = (): void => undefined
  const receive = (bytes: Uint8Array): void => {
    try {
      const message = readClientMessage(bytes)
      if (message.kind === 'syncStep1') greeting ??= message.stateVector.slice()
      else if (message.kind === 'syncStep2') answers++
      else if (message.kind === 'queryAwareness') badServerFrames++
    } catch {
      badServerFrames++
    }
    onProgress()
  }
  let connection: RoomSocket
  try {
    connection = await openRoomSocket(url, room, receive, deadlineMs, hostileAddress)
  } catch (error) {
    return { phase: 'open', error: (error as Error).message }
  }
  const { socket, closed } = connection
  const progressed = (isDone: () => boolean): Promise<void> =>
    new Promise<void>((resolve) => {
      onProgress = () => {
        if (isDone()) resolve()
      }
      onProgress()
      void closed.then(() => resolve())
    })
  try {
    await withDeadline(
      progressed(() => greeting !== undefined),
      deadlineMs,
      'greeting',
    )
  } catch (error) {
    socket.terminate()
    return { phase: 'greeting', error: (error as Error).message, closed: connection.closedWith() }
  }
  if (greeting === undefined) {
    return {
      phase: 'greeting',
      error: 'closed before the greeting',
      closed: connection.closedWith(),
    }
  }
  for (const frame of frames) socket.send(frame, { binary: typeof frame !== 'string' })
  socket.send(writeSyncStep1(greeting))
  let isHung = false
  try {
    await withDeadline(
      progressed(() => answers > expectedAnswers),
      deadlineMs,
      'answer',
    )
  } catch {
    isHung = connection.closedWith() === undefined
  }
  const closedByServer = connection.closedWith()
  let closedAtEnd: Closed | undefined
  if (!closedByServer) {
    socket.close(1000)
    try {
      closedAtEnd = await withDeadline(closed, deadlineMs, 'close handshake')
    } catch {
      socket.terminate()
      isHung = true
    }
  }
  return { phase: 'done', answers, closedByServer, closedAtEnd, isHung, badServerFrames }
}
