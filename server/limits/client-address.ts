// Which address a request comes from: the socket's peer or, when that peer is a trusted proxy,
// the right-most untrusted address of X-Forwarded-For. Trusted ranges are IPv4 and IPv6 CIDRs.
import type { IncomingMessage } from 'node:http'
import { BlockList, isIP } from 'node:net'

type Family = 'ipv4' | 'ipv6'

const familyOf = (address: string): Family | null => {
  const version = isIP(address)
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : null
}

// A dual-stack socket reports an IPv4 peer as ::ffff:192.0.2.1; it is written as IPv4, so that
// one client is one address whichever way it reached the server.
function normalize(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)
  return mapped ? mapped[1]! : address.toLowerCase()
}

// One X-Forwarded-For entry: an address, perhaps with a port (192.0.2.1:4711, [2001:db8::1]:4711).
function readHop(entry: string): string | null {
  let text = entry.trim()
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text)
  if (bracketed) text = bracketed[1]!
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'))
  return familyOf(text) ? normalize(text) : null
}

function addRange(ranges: BlockList, text: string): void {
  const [base = '', prefixText, ...rest] = text.trim().split('/')
  const family = familyOf(base)
  const maxPrefix = family === 'ipv4' ? 32 : 128
  let prefix = maxPrefix
  if (prefixText !== undefined) prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN
  if (!family || rest.length > 0 || !(prefix <= maxPrefix)) {
    throw new RangeError(
      `not an IPv4 or IPv6 address range: "${text}" (expected e.g. 10.0.0.0/8 or ::1/128)`,
    )
  }
  ranges.addSubnet(base, prefix, family)
}

/**
 * The proxies whose X-Forwarded-For the server believes. With none (the default) the header is
 * ignored entirely: anyone can send it, so only a proxy the operator names may speak for a client.
 */
export class TrustedProxies {
  readonly #ranges = new BlockList()
  readonly #isEmpty: boolean

  /** Reads CIDR ranges (`10.0.0.0/8`, `::1/128`; an address alone: one host); throws RangeError. */
  constructor(ranges: readonly string[]) {
    for (const range of ranges) addRange(this.#ranges, range)
    this.#isEmpty = ranges.length === 0
  }

  /** Whether `address` lies in a trusted range. */
  isTrusted(address: string): boolean {
    const family = familyOf(address)
    return family !== null && this.#ranges.check(address, family)
  }

  /**
   * The client's address: the socket's `peer`, or, when the peer is trusted, the X-Forwarded-For
   * entries from the right, skipping trusted proxies, up to the first untrusted one (the address
   * the outermost trusted proxy saw; what lies left of it the client wrote itself). When every
   * hop is trusted, the left-most; a malformed entry stops the walk at the hop right of it.
   */
  clientAddress(peer: string | undefined, forwardedFor: string | undefined): string | undefined {
    if (peer === undefined) return undefined
    let client = normalize(peer)
    if (this.#isEmpty || forwardedFor === undefined || !this.isTrusted(client)) return client
    const hops = forwardedFor.split(',')
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = readHop(hops[i]!)
      if (hop === null) break
      client = hop
      if (!this.isTrusted(hop)) break
    }
    return client
  }

  /** The client's address of a Node request (its socket and its X-Forwarded-For headers). */
  clientAddressOf(request: IncomingMessage): string | undefined {
    const header = request.headers['x-forwarded-for']
    const forwardedFor = Array.isArray(header) ? header.join(',') : header
    return this.clientAddress(request.socket.remoteAddress, forwardedFor)
  }
}
