// Room names: how a WebSocket URL path maps to a document name, and which names are valid.
// Shared by server and editor; no Node or DOM imports.

/** Longest room name, in characters (Unicode code points) after URL-decoding. */
export const maxRoomNameLength = 255

/** Outcome of parsing a URL path into a room name. */
export type RoomNameResult = { ok: true; name: string } | { ok: false; reason: string }

// C0 and C1 control characters and DEL.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/u

/**
 * Turns the path of a WebSocket URL (`/my%20doc`, without the query string) into a room name,
 * as `new WebsocketProvider(serverUrl, name, doc)` produces it: the name is the URL-decoded path
 * after the first slash. See protocol/README.md §1.
 */
export function parseRoomPath(path: string): RoomNameResult {
  if (!path.startsWith('/')) return { ok: false, reason: 'the URL path must start with "/"' }
  let name: string
  try {
    name = decodeURIComponent(path.slice(1))
  } catch {
    return { ok: false, reason: 'the document name has malformed percent-encoding' }
  }
  return validateRoomName(name)
}

/** Checks a decoded room name: 1–255 characters and no control characters. */
export function validateRoomName(name: string): RoomNameResult {
  if (name.length === 0) return { ok: false, reason: 'the document name is empty' }
  const length = [...name].length
  if (length > maxRoomNameLength) {
    return {
      ok: false,
      reason: `the document name is ${length} characters long; the maximum is ${maxRoomNameLength}`,
    }
  }
  if (controlCharacter.test(name)) {
    return { ok: false, reason: 'the document name contains a control character' }
  }
  return { ok: true, name }
}
