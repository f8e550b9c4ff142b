// What the server must do with a frame, predicted from the protocol's own decoders
// (protocol/README.md §2–§5): the envelope, the state vector, the update's encoding and the
// awareness update decide the close code; the limits decide the rest.
import * as Y from 'yjs'
import { type AwarenessEntry, readAwarenessUpdate } from '../protocol/awareness-codec.js'
import { CloseCode } from '../protocol/close-codes.js'
import { CollabError } from '../protocol/collab-error.js'
import { type ClientMessage, readClientMessage } from '../protocol/message.js'
import { checkUpdate } from '../protocol/update-check.js'

/** A frame as sent: binary, or text. */
export type Frame = Uint8Array | string

/** The close code for awareness a connection may not announce (too many ids, or another's). */
export const policyViolation = 1008

/** The server limits the predictions depend on; the soak starts the server with these. */
export interface FuzzLimits {
  readonly maxFrameBytes: number
  readonly maxAwarenessBytes: number
  readonly maxDocumentBytes: number
  readonly maxPendingBytes: number
  readonly maxNestingDepth: number
  readonly maxAwarenessClientsPerConnection: number
}

/**
 * What must happen to the connection once the server has read the frame: stay `open`, stay open
 * and answer with one sync step 2 (`answered`), be `closed` with one of `codes`, or either
 * (`open-or-closed`: the frame is well-formed, but a limit may refuse it).
 */
export interface Expectation {
  readonly outcome: 'open' | 'answered' | 'closed' | 'open-or-closed'
  readonly codes: readonly number[]
  /** Accepting the frame could change a document's content (it is an update not refused). */
  readonly canChangeContent: boolean
}

const open: Expectation = { outcome: 'open', codes: [], canChangeContent: false }
const answered: Expectation = { outcome: 'answered', codes: [], canChangeContent: false }
const closedWith = (code: number): Expectation => ({
  outcome: 'closed',
  codes: [code],
  canChangeContent: false,
})

/** An expectation stated by a frame's generator, for a frame it built to cross a limit. */
export const claim = { open, closedWith } as const

/** Which awareness client ids a connection may announce (its own, up to the limit). */
export interface AwarenessLedger {
  readonly ownIds: ReadonlySet<number>
  readonly announced: Set<number>
}

/** The prediction for one frame, and the awareness ids it announces (to record once it is sent). */
export interface Prediction {
  readonly expectation: Expectation
  readonly announcedIds: readonly number[]
}

function decode(frame: Uint8Array): ClientMessage | Expectation {
  try {
    return readClientMessage(frame)
  } catch (error) {
    if (error instanceof CollabError) return closedWith(error.closeCode)
    throw error
  }
}

function predictUpdate(update: Uint8Array): Expectation {
  if (update.length === 2 && update[0] === 0 && update[1] === 0) return open
  try {
    checkUpdate(update)
  } catch {
    return closedWith(CloseCode.invalidPayload)
  }
  // Well-formed; refused only past the nesting, pending or document-size limit.
  return {
    outcome: 'open-or-closed',
    codes: [CloseCode.invalidPayload, CloseCode.documentTooLarge],
    canChangeContent: true,
  }
}

function predictAwareness(
  payload: Uint8Array,
  limits: FuzzLimits,
  ledger: AwarenessLedger,
): Prediction {
  if (payload.length > limits.maxAwarenessBytes) {
    return { expectation: closedWith(CloseCode.messageTooBig), announcedIds: [] }
  }
  let entries: AwarenessEntry[]
  try {
    entries = readAwarenessUpdate(payload)
  } catch {
    return { expectation: closedWith(CloseCode.invalidPayload), announcedIds: [] }
  }
  const ids = entries.map((entry) => entry.clientId)
  const announced = new Set([...ledger.announced, ...ids])
  const isOwn =
    ids.every((id) => ledger.ownIds.has(id)) &&
    announced.size <= limits.maxAwarenessClientsPerConnection
  const expectation: Expectation = isOwn
    ? open
    : { outcome: 'open-or-closed', codes: [policyViolation], canChangeContent: false }
  return { expectation, announcedIds: ids }
}

/**
 * Predicts what the server does with `frame` on a connection that has announced what `ledger`
 * says. `claimed` is the generator's word for a frame it built to cross a limit; it counts only
 * when the frame is otherwise well-formed.
 */
export function predict(
  frame: Frame,
  limits: FuzzLimits,
  ledger: AwarenessLedger,
  claimed?: Expectation,
): Prediction {
  const byDecoding = predictByDecoding(frame, limits, ledger)
  if (!claimed || byDecoding.expectation.outcome !== 'open-or-closed') return byDecoding
  // A claim narrows what the server does; only a refusal rules out a change of content.
  const canChangeContent = claimed.outcome !== 'closed' && byDecoding.expectation.canChangeContent
  return { ...byDecoding, expectation: { ...claimed, canChangeContent } }
}

function predictByDecoding(frame: Frame, limits: FuzzLimits, ledger: AwarenessLedger): Prediction {
  const none = { announcedIds: [] }
  if (typeof frame === 'string')
    return { expectation: closedWith(CloseCode.unsupportedData), ...none }
  if (frame.length > limits.maxFrameBytes) {
    return { expectation: closedWith(CloseCode.messageTooBig), ...none }
  }
  const message = decode(frame)
  if ('outcome' in message) return { expectation: message, ...none }
  switch (message.kind) {
    case 'syncStep1':
      try {
        Y.decodeStateVector(message.stateVector)
        return { expectation: answered, ...none }
      } catch {
        return { expectation: closedWith(CloseCode.invalidPayload), ...none }
      }
    case 'syncStep2':
    case 'syncUpdate':
      return { expectation: predictUpdate(message.update), ...none }
    case 'awareness':
      return predictAwareness(message.update, limits, ledger)
    case 'queryAwareness':
      return { expectation: open, ...none }
  }
}
