// Keyboard shortcuts in the words of the user's platform: prosemirror-keymap notation ('Mod-b',
// 'Shift-Ctrl-1') becomes "⌘B" / "⌃⇧1" on Apple systems and "Ctrl+B" / "Ctrl+Shift+1" elsewhere,
// plus the ARIA `aria-keyshortcuts` form. Tooltips and the shortcut help both use this module, so
// they say the same words. No DOM: the platform is passed in (see `currentKeyPlatform`).

/** Whose key names to use: Apple's (⌘ ⌥ ⇧ ⌃) or the PC's (Ctrl, Alt, Shift). */
export type KeyPlatform = 'mac' | 'pc'

type Modifier = 'ctrl' | 'alt' | 'shift' | 'meta'

/** One shortcut, parsed: its modifiers and its key (as prosemirror-keymap names it). */
interface ParsedKeys {
  modifiers: ReadonlySet<Modifier>
  key: string
}

// The order each platform lists modifiers in: Apple's menus show ⌃⌥⇧⌘; Windows and Linux
// write Ctrl+Alt+Shift.
const modifierOrder: Record<KeyPlatform, readonly Modifier[]> = {
  mac: ['ctrl', 'alt', 'shift', 'meta'],
  pc: ['meta', 'ctrl', 'alt', 'shift'],
}

const modifierNames: Record<KeyPlatform, Record<Modifier, string>> = {
  mac: { ctrl: '⌃', alt: '⌥', shift: '⇧', meta: '⌘' },
  pc: { ctrl: 'Ctrl', alt: 'Alt', shift: 'Shift', meta: 'Win' },
}

const ariaModifierNames: Record<Modifier, string> = {
  ctrl: 'Control',
  alt: 'Alt',
  shift: 'Shift',
  meta: 'Meta',
}

const keyNames: Record<KeyPlatform, Record<string, string>> = {
  mac: {
    ArrowUp: '↑',
    ArrowDown: '↓',
    ArrowLeft: '←',
    ArrowRight: '→',
    Enter: '↩',
    Backspace: '⌫',
    Delete: '⌦',
    Escape: 'Esc',
    Tab: '⇥',
    ' ': 'Space',
  },
  pc: {
    ArrowUp: '↑',
    ArrowDown: '↓',
    ArrowLeft: '←',
    ArrowRight: '→',
    Escape: 'Esc',
    ' ': 'Space',
  },
}

/**
 * Parses prosemirror-keymap notation as prosemirror-keymap does: modifiers and key split on `-`
 * (a trailing `-` is the minus key), `Mod` is ⌘ on Apple systems and Ctrl elsewhere. Throws
 * RangeError for an unknown modifier.
 */
function parseKeys(keys: string, platform: KeyPlatform): ParsedKeys {
  const parts = keys.split(/-(?!$)/)
  const key = parts.pop() ?? ''
  const modifiers = new Set<Modifier>()
  for (const part of parts) {
    if (/^(cmd|meta|m)$/i.test(part)) modifiers.add('meta')
    else if (/^a(lt)?$/i.test(part)) modifiers.add('alt')
    else if (/^(c|ctrl|control)$/i.test(part)) modifiers.add('ctrl')
    else if (/^s(hift)?$/i.test(part)) modifiers.add('shift')
    else if (/^mod$/i.test(part)) modifiers.add(platform === 'mac' ? 'meta' : 'ctrl')
    else throw new RangeError(`Unrecognized modifier name: ${part} in ${keys}`)
  }
  return { modifiers, key: key === 'Space' ? ' ' : key }
}

function keyName(key: string, platform: KeyPlatform): string {
  const named = keyNames[platform][key]
  if (named !== undefined) return named
  return key.length === 1 ? key.toUpperCase() : key
}

/**
 * The keys of a shortcut in the platform's words, one entry per key to press: `['⌘', 'B']`,
 * `['Ctrl', 'Shift', '1']`. The help dialog shows each as a `<kbd>`.
 */
export function shortcutKeyParts(keys: string, platform: KeyPlatform): string[] {
  const { modifiers, key } = parseKeys(keys, platform)
  const names = modifierOrder[platform]
    .filter((modifier) => modifiers.has(modifier))
    .map((modifier) => modifierNames[platform][modifier])
  return [...names, keyName(key, platform)]
}

/** The separator between the parts of a shortcut's label on `platform`. */
export function shortcutKeySeparator(platform: KeyPlatform): string {
  return platform === 'mac' ? '' : '+'
}

/** A shortcut as one label: "⌘B", "⌃⇧1" on Apple systems, "Ctrl+B", "Ctrl+Shift+1" elsewhere. */
export function shortcutLabel(keys: string, platform: KeyPlatform): string {
  return shortcutKeyParts(keys, platform).join(shortcutKeySeparator(platform))
}

/** A shortcut in `aria-keyshortcuts` notation: "Meta+B" (Apple), "Control+Shift+1". */
export function ariaKeyShortcut(keys: string, platform: KeyPlatform): string {
  const { modifiers, key } = parseKeys(keys, platform)
  const names = (['ctrl', 'alt', 'shift', 'meta'] as const)
    .filter((modifier) => modifiers.has(modifier))
    .map((modifier) => ariaModifierNames[modifier])
  const ariaKey = key === ' ' ? 'Space' : key.length === 1 ? key.toUpperCase() : key
  return [...names, ariaKey].join('+')
}

/** Minimal view of the browser's `navigator`: the module stays free of the DOM library. */
interface NavigatorLike {
  platform?: string
  userAgentData?: { platform?: string }
}

/**
 * The platform of the running browser, decided as prosemirror-keymap decides what `Mod` binds
 * (from `navigator.platform`: Mac, iPhone, iPad), so that the words match the keys that work;
 * `userAgentData.platform` ("macOS") only where `navigator.platform` is empty.
 */
export function currentKeyPlatform(
  navigator: NavigatorLike | undefined = (globalThis as { navigator?: NavigatorLike }).navigator,
): KeyPlatform {
  const platform = navigator?.platform || navigator?.userAgentData?.platform || ''
  return /mac|iphone|ipad|ipod|ios/i.test(platform) ? 'mac' : 'pc'
}
