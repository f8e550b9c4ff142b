// Names as PostgreSQL stores them. A room or record name is `text`, which holds neither U+0000 nor
// a lone surrogate, so such names are refused rather than changed. The interface orders names by
// UTF-16 code units and PostgreSQL orders text by its collation, so a room also has a sort key:
// its UTF-16 code units, big-endian, as `bytea`, whose byte order is that order. Version ids may
// be any string and are stored the same way. Imports nothing.

// U+0000, or a surrogate that is not half of a pair (with the u flag, a pair is one code point).
// eslint-disable-next-line no-control-regex -- matching U+0000 is the point
const notInText = /\u0000|\p{Cs}/u

/** Why PostgreSQL text cannot hold `name` as it is, or null when it can. */
export function textNameProblem(kind: 'room' | 'record', name: string): string | null {
  if (!notInText.test(name)) return null
  return `the ${kind} name ${JSON.stringify(name)} holds U+0000 or a lone surrogate, which PostgreSQL text cannot store`
}

/** The UTF-16 code units of `value`, big-endian: byte order is code unit order. */
export function utf16Key(value: string): Buffer {
  return Buffer.from(value, 'utf16le').swap16()
}

/** The string whose `utf16Key` is `key`. */
export function readUtf16Key(key: Buffer): string {
  return Buffer.from(key).swap16().toString('utf16le')
}

/**
 * The smallest key after every key that starts with `prefix`, or null when there is none (an
 * empty prefix, or one of 0xFF bytes only): the keys with that prefix are those from `prefix` up
 * to it.
 */
export function keyPrefixEnd(prefix: Buffer): Buffer | null {
  let end = prefix.length
  while (end > 0 && prefix[end - 1] === 0xff) end--
  if (end === 0) return null
  const next = Buffer.from(prefix.subarray(0, end))
  next[end - 1] = prefix[end - 1]! + 1
  return next
}
