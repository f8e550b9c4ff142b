// People's colours: a palette of clearly distinct colours, the label text colour each needs to be
// readable (WCAG contrast), and the choice of a free colour among the people present.
// Pure functions without DOM, so that Node tests can check the palette.

/** Text colours for labels on a person's colour: white on dark colours, near-black on light. */
export const labelTextColors = { light: '#ffffff', dark: '#1f2328' } as const

/**
 * The colours handed out to people who did not choose one, most distinct first: the first
 * people in a document get the colours that differ most. Every one is `#rrggbb` and reads with
 * `labelTextColor` at a contrast of at least 4.5:1.
 */
export const userPalette: readonly string[] = [
  '#d93025', // red
  '#1967d2', // blue
  '#188038', // green
  '#e37400', // orange
  '#8430ce', // purple
  '#007b83', // teal
  '#d01884', // magenta
  '#795548', // brown
  '#12b5cb', // cyan
  '#7cb342', // leaf green
  '#1a237e', // navy
  '#f06292', // pink
  '#e8a317', // amber
  '#5f6368', // grey
  '#b39ddb', // lavender
  '#827717', // olive
  '#880e4f', // wine
  '#ff8a65', // salmon
  '#c0ca33', // lime
  '#90a4ae', // blue grey
]

const hexColor = /^#[0-9a-f]{6}$/i

/** Whether `color` is a `#rrggbb` colour. */
export function isHexColor(color: string): boolean {
  return hexColor.test(color)
}

/** WCAG 2 relative luminance of a `#rrggbb` colour, from 0 (black) to 1 (white). */
export function relativeLuminance(color: string): number {
  const [red = 0, green = 0, blue = 0] = [1, 3, 5].map((start) => {
    const channel = parseInt(color.slice(start, start + 2), 16) / 255
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue
}

/** WCAG 2 contrast ratio of two `#rrggbb` colours, from 1 to 21. */
export function contrastRatio(first: string, second: string): number {
  const [lighter, darker] = [relativeLuminance(first), relativeLuminance(second)].sort(
    (a, b) => b - a,
  ) as [number, number]
  return (lighter + 0.05) / (darker + 0.05)
}

/** The label text colour (white or near-black) that contrasts most with `color`. */
export function labelTextColor(color: string): string {
  const { light, dark } = labelTextColors
  return contrastRatio(color, light) >= contrastRatio(color, dark) ? light : dark
}

/** Another client in the document, as the colour choice sees it. */
export interface ColorPeer {
  /** Its Yjs client ID. */
  clientId: number
  /** The colour it shows now, `#rrggbb`. */
  color: string
  /** Whether it is the chooser's own person (another tab of theirs). */
  isSamePerson: boolean
}

/**
 * The colour a client without a colour of its own should show, given the other clients present.
 * A person's tabs all take the colour of their tab with the lowest client ID. That tab keeps its
 * `current` colour unless another person holds it first: two people who chose the same colour
 * at once are told apart by client ID, the higher one moves on, so all clients converge. A
 * colour outside the palette was chosen by its person and never moves, so it is always
 * yielded to. Moving, or choosing without a `current` colour, takes the first palette colour no
 * other person shows (the least shown one once all are).
 */
export function chooseUserColor(
  self: { clientId: number; current: string | undefined },
  peers: readonly ColorPeer[],
): string {
  const ownTabs = peers.filter((peer) => peer.isSamePerson && peer.clientId < self.clientId)
  const firstTab = ownTabs.sort((a, b) => a.clientId - b.clientId)[0]
  if (firstTab) return firstTab.color
  const others = peers.filter((peer) => !peer.isSamePerson)
  const { current } = self
  const isHeldByAnother = others.some(
    (peer) =>
      peer.color === current &&
      (peer.clientId < self.clientId || !userPalette.includes(peer.color)),
  )
  if (current !== undefined && !isHeldByAnother) return current
  const uses = new Map<string, number>()
  for (const peer of others) uses.set(peer.color, (uses.get(peer.color) ?? 0) + 1)
  const usesOf = (color: string): number => uses.get(color) ?? 0
  let chosen = userPalette[0] as string
  for (const color of userPalette) if (usesOf(color) < usesOf(chosen)) chosen = color
  return chosen
}
