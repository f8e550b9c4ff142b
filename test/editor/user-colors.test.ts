// People's colours: every palette colour reads with its label text (WCAG contrast ≥ 4.5:1) and
// differs clearly from the others, and the choice of colours gives the people present distinct
// ones, converging when several choose at once.
import assert from 'node:assert/strict'
import test from 'node:test'
import {
  type ColorPeer,
  chooseUserColor,
  contrastRatio,
  labelTextColor,
  labelTextColors,
  relativeLuminance,
  userPalette,
} from '../../editor/user-colors.js'

/** CIE L*a*b* of a `#rrggbb` colour (D65), to measure how different two colours look. */
function lab(color: string): [number, number, number] {
  const [r = 0, g = 0, b = 0] = [1, 3, 5].map((start) => {
    const channel = parseInt(color.slice(start, start + 2), 16) / 255
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4
  })
  const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : (841 / 108) * t + 4 / 29)
  const x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047)
  const y = f(0.2126 * r + 0.7152 * g + 0.0722 * b)
  const z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883)
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)]
}

function colorDistance(first: string, second: string): number {
  const [l1, a1, b1] = lab(first)
  const [l2, a2, b2] = lab(second)
  return Math.hypot(l1 - l2, a1 - a2, b1 - b2)
}

test('the contrast ratio follows WCAG 2', () => {
  assert.equal(relativeLuminance('#ffffff'), 1)
  assert.equal(relativeLuminance('#000000'), 0)
  assert.equal(contrastRatio('#000000', '#ffffff'), 21)
  assert.equal(contrastRatio('#ffffff', '#000000'), 21)
  // #767676 is the lightest grey that passes 4.5:1 on white; #777777 just fails.
  assert.ok(contrastRatio('#767676', '#ffffff') >= 4.5)
  assert.ok(contrastRatio('#777777', '#ffffff') < 4.5)
})

test('every palette colour reads with its label text at a contrast of at least 4.5:1', () => {
  assert.ok(userPalette.length >= 20)
  for (const color of userPalette) {
    assert.match(color, /^#[0-9a-f]{6}$/)
    const text = labelTextColor(color)
    assert.ok(text === labelTextColors.light || text === labelTextColors.dark)
    const ratio = contrastRatio(color, text)
    assert.ok(ratio >= 4.5, `${text} on ${color} has a contrast of ${ratio.toFixed(2)}`)
  }
})

test('the palette colours differ clearly from each other', () => {
  assert.equal(new Set(userPalette).size, userPalette.length)
  for (const [index, first] of userPalette.entries()) {
    for (const second of userPalette.slice(index + 1)) {
      const distance = colorDistance(first, second)
      assert.ok(distance >= 20, `${first} and ${second} are only ΔE ${distance.toFixed(1)} apart`)
    }
  }
})

const other = (clientId: number, color: string): ColorPeer => ({
  clientId,
  color,
  isSamePerson: false,
})

test('a newcomer takes the first colour no one present shows', () => {
  const [first, second, third] = userPalette
  assert.equal(chooseUserColor({ clientId: 5, current: undefined }, []), first)
  assert.equal(
    chooseUserColor({ clientId: 5, current: undefined }, [other(9, second!), other(1, first!)]),
    third,
  )
})

test('a colour in use stays when people come and go', () => {
  const [first, second] = userPalette
  // The first colour came free when its person left: the one showing the second keeps it.
  assert.equal(chooseUserColor({ clientId: 5, current: second }, []), second)
  assert.equal(chooseUserColor({ clientId: 5, current: second }, [other(9, first!)]), second)
})

test('of two people who chose the same colour, the higher client ID moves on', () => {
  const [first, second] = userPalette
  assert.equal(chooseUserColor({ clientId: 5, current: first }, [other(9, first!)]), first)
  assert.equal(chooseUserColor({ clientId: 9, current: first }, [other(5, first!)]), second)
})

test('a colour from outside the palette is always yielded to', () => {
  const chosen = '#30638e'
  assert.equal(
    chooseUserColor({ clientId: 5, current: chosen }, [other(9, chosen)]),
    userPalette[0],
  )
})

test('a tab takes the colour its person already shows in their first tab', () => {
  const [first, second, third] = userPalette
  const peers: ColorPeer[] = [
    other(1, first!),
    { clientId: 7, color: third!, isSamePerson: true },
    { clientId: 3, color: second!, isSamePerson: true },
  ]
  assert.equal(chooseUserColor({ clientId: 9, current: undefined }, peers), second)
  // The first tab itself chooses as anyone would, ignoring its person's other tabs.
  assert.equal(chooseUserColor({ clientId: 2, current: third }, peers), third)
})

test('with more people than colours, the least shown colour is taken', () => {
  const peers = userPalette.map((color, index) => other(100 + index, color))
  peers.push(other(200, userPalette[0]!))
  assert.equal(chooseUserColor({ clientId: 5, current: undefined }, peers), userPalette[1])
})

/** Lets every client choose again, seeing the others' last colours, until no one changes. */
function settle(colors: Map<number, string | undefined>): Map<number, string | undefined> {
  for (let round = 0; round < 50; round++) {
    const next = new Map<number, string | undefined>()
    for (const [clientId, current] of colors) {
      const peers = [...colors]
        .filter(([id, color]) => id !== clientId && color !== undefined)
        .map(([id, color]) => other(id, color!))
      next.set(clientId, chooseUserColor({ clientId, current }, peers))
    }
    if ([...next].every(([id, color]) => colors.get(id) === color)) return next
    colors = next
  }
  throw new Error('the colours did not settle in 50 rounds')
}

test('seven people joining at once end with seven distinct colours', () => {
  const clientIds = [912, 17, 4_000_000_000, 33, 5_551, 2_048, 77]
  const colors = settle(new Map(clientIds.map((id) => [id, undefined])))
  assert.equal(new Set(colors.values()).size, clientIds.length)
  assert.deepEqual(new Set(colors.values()), new Set(userPalette.slice(0, clientIds.length)))
})

test('people joining one after the other keep their colours and all differ', () => {
  const colors = new Map<number, string | undefined>()
  const history: Array<Map<number, string | undefined>> = []
  for (const clientId of [500, 20, 9_000, 3, 777, 64, 1_234]) {
    colors.set(clientId, undefined)
    const settled = settle(colors)
    for (const earlier of history.at(-1) ?? []) {
      assert.equal(settled.get(earlier[0]), earlier[1], `client ${earlier[0]} changed colour`)
    }
    history.push(settled)
    for (const [id, color] of settled) colors.set(id, color)
  }
  assert.equal(new Set(colors.values()).size, colors.size)
})
